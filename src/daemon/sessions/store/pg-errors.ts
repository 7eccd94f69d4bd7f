// Which PostgreSQL failures mean "the database is not reachable right now" (retry, or answer 503), and the wait between
// retries — on real time: a store's reconnects are I/O, not one of the core's deadlines.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from '../../../transport/protocol/errors.js';

/** Connection-level error codes: Node's socket errors and PostgreSQL's class 08 (connection) and 57P (shutdown). */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P02', '57P03']);

export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e) return false;
  if (typeof e.code === 'string' && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|connection ended|Client has encountered a connection error|Connection refused|not queryable/i.test(message);
}

/** What a create gets while the database is away: nothing was recorded, and when to try again. */
export function storeUnavailable(err: unknown): ApiError {
  return new ApiError(
    'store_unavailable',
    `The session store (PostgreSQL) is not reachable (${(err as Error).message}); nothing was created. Try again in a few seconds.`,
    { next: 'Retry the same request (with the same Idempotency-Key); `fbay daemon logs` on the coordinator says when the database is back.' },
    { 'retry-after': '2' },
  );
}

/** Runs `fn` until it gets through the connection, waiting longer each time (up to 2 s); other errors are thrown. */
export async function untilConnected<T>(fn: () => Promise<T>, closed: () => boolean, onWait: (err: Error) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isConnectionError(err) || closed()) throw err;
      onWait(err as Error);
      await sleep(Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }
}
