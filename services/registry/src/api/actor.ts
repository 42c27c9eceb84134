import type { HandlerContext } from '@mlops/grpc';

export const ACTOR_HEADER = 'x-mlops-actor';
const MAX_ACTOR = 128;

/**
 * Who the audit log names. With authentication on, the token's name, never a header the caller
 * could set to anything. With it off, the caller's own `x-mlops-actor` (the CLI sends the user
 * name), else "anonymous".
 */
export function actorOf(ctx: HandlerContext): string {
  if (ctx.principal.kind === 'token') return ctx.principal.name;
  const claimed = ctx.metadata.get(ACTOR_HEADER)[0];
  const actor = typeof claimed === 'string' ? claimed.trim().slice(0, MAX_ACTOR) : '';
  return actor === '' ? 'anonymous' : actor;
}
