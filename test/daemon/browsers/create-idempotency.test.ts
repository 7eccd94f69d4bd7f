// POST /v1/browsers with an Idempotency-Key: one create per key and body, a mismatch refused, a failure forgotten.
import { describe, expect, it } from 'vitest';
import { CreateIdempotency } from '../../../src/daemon/browsers/create-idempotency.js';
import type { BrowserSession } from '../../../src/transport/protocol/browser-api.js';

const session = (id: string) => ({ id, state: 'ready' }) as BrowserSession;

describe('CreateIdempotency', () => {
  it('runs the create once for a key, even while the first is still running; a retry gets the fresh view', async () => {
    const idem = new CreateIdempotency();
    let creates = 0;
    let finish!: (s: BrowserSession) => void;
    const create = () => {
      creates++;
      return new Promise<BrowserSession>((resolve) => (finish = resolve));
    };
    const first = idem.once('acct', 'k1', { a: 1 }, create, () => session('never'));
    const retry = idem.once('acct', 'k1', { a: 1 }, create, (id) => ({ ...session(id), state: 'active' }));
    finish(session('ses_1'));
    expect(await first).toMatchObject({ id: 'ses_1', state: 'ready' });
    expect(await retry).toMatchObject({ id: 'ses_1', state: 'active' });
    expect(creates).toBe(1);
    // Another account's same key is its own.
    await expect(idem.once('other', 'k1', { a: 1 }, async () => session('ses_2'), () => session('x'))).resolves.toMatchObject({ id: 'ses_2' });
  });

  it('refuses the same key with another body (422), and lets a failed create be tried again', async () => {
    const idem = new CreateIdempotency();
    await idem.once('acct', 'k', { a: 1 }, async () => session('ses_1'), (id) => session(id));
    await expect(idem.once('acct', 'k', { a: 2 }, async () => session('ses_2'), (id) => session(id))).rejects.toMatchObject({ code: 'idempotency_mismatch' });
    await expect(idem.once('acct', 'f', {}, () => Promise.reject(new Error('no browser')), (id) => session(id))).rejects.toThrow('no browser');
    await expect(idem.once('acct', 'f', {}, async () => session('ses_3'), (id) => session(id))).resolves.toMatchObject({ id: 'ses_3' });
    await expect(idem.once('acct', '', {}, async () => session('ses_4'), (id) => session(id))).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
