// Idempotency-Key for POST /v1/browsers: a retry (a client daemon's, after a lost answer) gets the same session back.
import type { BrowserSession } from '../../transport/protocol/browser-api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { requestHash } from '../engine/idempotency.js';

/** Keys remembered (in memory: a retry comes within seconds, not across a restart). */
const MAX_KEYS = 1000;

export class CreateIdempotency {
  private readonly byKey = new Map<string, { hash: string; created: Promise<BrowserSession> }>();

  /** Runs `create` once per (account, key); a retry with the same body waits for and gets the same session id. */
  async once(account: string, key: string | undefined, body: unknown, create: () => Promise<BrowserSession>, fresh: (id: string) => BrowserSession): Promise<BrowserSession> {
    if (key === undefined) return create();
    if (key.length === 0 || key.length > 255) throw new ApiError('invalid_request', 'Idempotency-Key must be one header of 1 to 255 characters.');
    const slot = `${account}\u0000${key}`;
    const hash = requestHash(body);
    const hit = this.byKey.get(slot);
    if (hit) {
      if (hit.hash !== hash) throw new ApiError('idempotency_mismatch', `Idempotency-Key '${key}' was already used for a different request. Use a new key for a new request.`);
      return fresh((await hit.created).id);
    }
    const created = create();
    this.byKey.set(slot, { hash, created });
    if (this.byKey.size > MAX_KEYS) this.byKey.delete(this.byKey.keys().next().value!);
    // A create that failed reserved nothing: the same key may try again.
    created.catch(() => this.byKey.get(slot)?.created === created && this.byKey.delete(slot));
    return created;
  }
}
