import { headers as natsHeaders, type MsgHdrs } from 'nats';

export function toNatsHeaders(record: Readonly<Record<string, string>>): MsgHdrs {
  const hdrs = natsHeaders();
  for (const [key, value] of Object.entries(record)) hdrs.set(key, value);
  return hdrs;
}

/** First value per key; our producers never repeat a header. */
export function fromNatsHeaders(hdrs: MsgHdrs | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (hdrs === undefined) return record;
  for (const [key, values] of hdrs) {
    const first = values[0];
    if (first !== undefined) record[key] = first;
  }
  return record;
}
