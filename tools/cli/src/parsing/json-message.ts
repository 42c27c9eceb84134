import { fromJson, type DescMessage, type JsonValue, type MessageShape } from '@bufbuild/protobuf';
import { invalid, parsed, type Parsed } from './result.js';

/** The message types reachable from `root` through its message fields, by full name. */
function messagesUnder(root: DescMessage): Map<string, DescMessage> {
  const found = new Map<string, DescMessage>();
  const visit = (message: DescMessage) => {
    if (found.has(message.typeName)) return;
    found.set(message.typeName, message);
    for (const field of message.fields) {
      if (field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message')) visit(field.message);
      else if (field.fieldKind === 'map' && field.mapKind === 'message') visit(field.message);
    }
  };
  visit(root);
  return found;
}

/**
 * fromJson that answers an unknown key with the keys the message does take: protobuf-es names
 * only the key and the message, and a person editing a YAML file needs the right spelling.
 */
export function messageFromJson<D extends DescMessage>(schema: D, json: JsonValue): Parsed<MessageShape<D>> {
  try {
    return parsed(fromJson(schema, json));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const unknownKey = /cannot decode message ([\w.]+) from JSON: key "[^"]*" is unknown/.exec(message);
    const target = unknownKey ? messagesUnder(schema).get(unknownKey[1]!) : undefined;
    if (target === undefined) return invalid(message);
    return invalid(`${message} (${target.name} takes: ${target.fields.map((f) => f.name).join(', ')})`);
  }
}
