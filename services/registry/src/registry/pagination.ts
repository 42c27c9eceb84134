import { invalidArgument, ok, fail, type Result } from '../domain/result.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

export interface Page<C> {
  readonly limit: number;
  /** Keyset cursor: where the previous page ended, or undefined for the first page. */
  readonly after: C | undefined;
}

/**
 * Page tokens are opaque to clients (base64url of a small JSON cursor) and keyset-based, so a
 * page stays correct when rows are added while a client pages through.
 */
export function readPage<C>(pageSize: number, pageToken: string, isCursor: (v: unknown) => v is C): Result<Page<C>> {
  if (pageSize < 0) return fail(invalidArgument('page_size', `0 (default ${DEFAULT_PAGE_SIZE}) to ${MAX_PAGE_SIZE}`, pageSize));
  const limit = Math.min(pageSize === 0 ? DEFAULT_PAGE_SIZE : pageSize, MAX_PAGE_SIZE);
  if (pageToken === '') return ok({ limit, after: undefined });
  try {
    const cursor: unknown = JSON.parse(Buffer.from(pageToken, 'base64url').toString('utf8'));
    if (isCursor(cursor)) return ok({ limit, after: cursor });
  } catch {
    // Falls through to the same answer as a well-formed token of the wrong shape.
  }
  return fail(invalidArgument('page_token', 'a next_page_token from a previous response', pageToken));
}

export function pageToken(cursor: unknown): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** Splits one row more than the page: its presence means there is a next page. */
export function splitPage<R, C>(rows: R[], limit: number, cursorOf: (last: R) => C): { rows: R[]; nextPageToken: string } {
  if (rows.length <= limit) return { rows, nextPageToken: '' };
  const page = rows.slice(0, limit);
  return { rows: page, nextPageToken: pageToken(cursorOf(page[page.length - 1]!)) };
}

export const isString = (v: unknown): v is string => typeof v === 'string';
export const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
