// Idempotency-Key bookkeeping: the same key and body give the same session; the same key with another body is refused.
import { createHash } from 'node:crypto';
import { ApiError } from '../../transport/protocol/errors.js';

/** A stable hash of a parsed JSON body: object keys sorted, so field order does not matter. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export class IdempotencyIndex {
  private readonly byKey = new Map<string, { hash: string; sessionId: string }>();

  private static slot(account: string, key: string): string {
    return `${account}\u0000${key}`;
  }

  remember(account: string, key: string, hash: string, sessionId: string): void {
    this.byKey.set(IdempotencyIndex.slot(account, key), { hash, sessionId });
  }

  forget(account: string, key: string): void {
    this.byKey.delete(IdempotencyIndex.slot(account, key));
  }

  /** The session an earlier request with this key created, or null; throws 422 if the body differs. */
  lookup(account: string, key: string, hash: string): string | null {
    const hit = this.byKey.get(IdempotencyIndex.slot(account, key));
    if (!hit) return null;
    if (hit.hash !== hash) {
      throw new ApiError(
        'idempotency_mismatch',
        `Idempotency-Key '${key}' was already used for a different request (it created ${hit.sessionId}). Use a new key for a new request.`,
      );
    }
    return hit.sessionId;
  }
}
