import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { permissionDenied, unauthenticated, type RpcError } from './errors.js';

export type Role = 'reader' | 'producer' | 'deployer' | 'admin';
export type Permission = 'read' | 'produce' | 'deploy' | 'admin';

/** Who made a call. Anonymous only when authentication is off. */
export type Principal = { kind: 'anonymous' } | { kind: 'token'; name: string; role: Role };

export const ROLES: readonly Role[] = ['reader', 'producer', 'deployer', 'admin'];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  reader: ['read'],
  producer: ['read', 'produce'],
  deployer: ['read', 'deploy'],
  admin: ['read', 'produce', 'deploy', 'admin'],
};

/** One accepted bearer token. `digest` is what is compared, so every comparison has the same length. */
export interface TokenGrant {
  readonly name: string;
  readonly role: Role;
  readonly digest: Buffer;
}

/** Authentication is off unless tokens are configured. */
export type AuthConfig = { mode: 'off' } | { mode: 'tokens'; grants: readonly TokenGrant[] };

export const AUTH_OFF: AuthConfig = { mode: 'off' };

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/**
 * A name for a token that can go in logs and spans: its role plus a short fingerprint,
 * never the token itself.
 */
const tokenName = (role: Role, digest: Buffer): string => `${role}-${digest.subarray(0, 4).toString('hex')}`;

/**
 * Parses `MLOPS_AUTH_TOKENS` ("tok1:admin,tok2:reader"). An empty spec means authentication is off.
 * Throws an Error naming the bad entry (config validation has normally caught it already).
 */
export function parseAuthTokens(spec: string): AuthConfig {
  const entries = spec
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) return AUTH_OFF;
  const grants = entries.map((entry, index): TokenGrant => {
    const separator = entry.lastIndexOf(':');
    const token = entry.slice(0, separator);
    const role = entry.slice(separator + 1);
    if (separator <= 0 || !isRole(role)) {
      throw new Error(
        `auth tokens entry ${index + 1}: expected "token:role" with role one of ${ROLES.join(', ')}, got ${JSON.stringify(
          separator <= 0 ? '(no token)' : `…:${role}`,
        )}`,
      );
    }
    const digest = sha256(token);
    return { name: tokenName(role, digest), role, digest };
  });
  return { mode: 'tokens', grants };
}

/** The token of an `authorization: Bearer <token>` header, if there is one. */
export function bearerToken(metadata: Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1];
}

export type AuthResult = { ok: true; principal: Principal } | { ok: false; error: RpcError };

/**
 * Finds the grant for the call's bearer token. Every grant is compared (no early exit) with a
 * constant-time comparison of digests, so timing reveals neither which token nor how much matched.
 */
export function authenticate(config: AuthConfig, metadata: Metadata): AuthResult {
  if (config.mode === 'off') return { ok: true, principal: { kind: 'anonymous' } };
  const token = bearerToken(metadata);
  if (token === undefined) {
    return { ok: false, error: unauthenticated('missing bearer token: send metadata "authorization: Bearer <token>"') };
  }
  const digest = sha256(token);
  let found: TokenGrant | undefined;
  for (const grant of config.grants) {
    if (timingSafeEqual(grant.digest, digest) && found === undefined) found = grant;
  }
  if (found === undefined) return { ok: false, error: unauthenticated('invalid bearer token') };
  return { ok: true, principal: { kind: 'token', name: found.name, role: found.role } };
}

export const hasPermission = (role: Role, permission: Permission): boolean => ROLE_PERMISSIONS[role].includes(permission);

/** PERMISSION_DENIED naming the role and the permission needed, or undefined when the call may proceed. */
export function authorize(principal: Principal, permission: Permission, method: string): RpcError | undefined {
  if (principal.kind === 'anonymous') return undefined;
  if (hasPermission(principal.role, permission)) return undefined;
  return permissionDenied(`role "${principal.role}" lacks permission "${permission}" needed for ${method}`);
}
