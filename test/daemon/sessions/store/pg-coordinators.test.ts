// Several coordinators on one PostgreSQL database: a session made through one is seen, ended and charged once through
// another; a deadline two of them sweep ends it once; limits and Idempotency-Keys hold across them.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiError } from '../../../../src/transport/protocol/errors.js';
import { useStores } from '../../../helpers/stores.js';
import { harnessOn, T0, useFakeClock } from '../../providers/board/board-harness.js';

describe('coordinators sharing one PostgreSQL database', () => {
  const stores = useStores('postgres');
  const makeHarness = harnessOn(stores);
  beforeEach(useFakeClock);
  afterEach(() => vi.useRealTimers());
  const metered = { account: { tier: 'local', balance_credits: 100 } };

  it('shows, ends and charges once through B a session A made and runs', async () => {
    const a = await makeHarness({ coordinator: 'a', settings: metered });
    const b = await makeHarness({ coordinator: 'b', settings: metered });
    const s = await a.create({ board_type: 'virtual' });
    expect(s).toMatchObject({ state: 'idle', board_id: 'virtual-1' });
    expect(a.find(s.id).resource).toBe('a/virtual-1');
    const seen = await b.core.lookup('local', s.id, 'board');
    expect(seen).toMatchObject({ state: 'idle', coordinator: 'a' });
    // B only mirrors it: its own (fake) ports were never asked for it.
    expect(b.ports.opened).toEqual([]);
    vi.advanceTimersByTime(6_000);
    await b.core.end('local', s.id);
    expect(b.find(s.id)).toMatchObject({ state: 'ended', end_reason: 'user_ended', ended_at: T0 + 6000 });
    // A, which runs the board, hears of it and lets the port go.
    await vi.waitFor(() => expect(a.ports.closed).toEqual([s.id]));
    expect(a.find(s.id)).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
    expect(await stores.query('SELECT credits FROM credit_ledger WHERE session_id = $1', [s.id])).toEqual([{ credits: 1.1 }]);
    await vi.waitFor(() => expect(a.core.account('local').balance_credits).toBeCloseTo(98.9, 6));
    expect(b.core.account('local').balance_credits).toBeCloseTo(98.9, 6);
  });

  it('ends through B a session A changed after B last read it: the end is made again onto what A wrote', async () => {
    const a = await makeHarness({ coordinator: 'a', settings: metered });
    const b = await makeHarness({ coordinator: 'b', settings: metered });
    const s = await a.create({ board_type: 'virtual', idle_timeout_s: 600 });
    await b.core.lookup('local', s.id, 'board');
    await stores.idle();
    // B stops hearing of changes, so what it holds is a revision behind once A writes again.
    b.store.changes!.removeAllListeners('session');
    await a.core.apply(a.find(s.id), { idle_timeout_s: 60 });
    expect(b.find(s.id).rev).toBeLessThan(a.find(s.id).rev!);
    const ended = await b.core.end('local', s.id);
    expect(ended).toMatchObject({ state: 'ended', end_reason: 'user_ended', idle_timeout_s: 60 });
    await vi.waitFor(() => expect(a.find(s.id)).toMatchObject({ state: 'ended', end_reason: 'user_ended' }));
    expect(await stores.query('SELECT count(*)::int AS n FROM credit_ledger WHERE session_id = $1', [s.id])).toEqual([{ n: 1 }]);
  });

  it('two coordinators sweeping the same expired deadline end the session once, charged once', async () => {
    const c = await makeHarness({ coordinator: 'c', settings: metered });
    const s = await c.create({ board_type: 'virtual', idle_timeout_s: 5 });
    await stores.idle();
    void c.core.shutdown(true); // like kill -9: C's timers stop, nothing more written
    const [a, b] = await Promise.all([makeHarness({ coordinator: 'a', settings: metered }), makeHarness({ coordinator: 'b', settings: metered })]);
    vi.advanceTimersByTime(5_000 + 1_000); // the deadline, plus the lag a peer gives the session's own coordinator
    await stores.idle();
    for (const h of [a, b]) {
      await vi.waitFor(() => expect(h.find(s.id)).toMatchObject({ state: 'ended', end_reason: 'idle_timeout', ended_at: T0 + 5000 }));
    }
    expect(await stores.query('SELECT credits FROM credit_ledger WHERE session_id = $1', [s.id])).toEqual([{ credits: 1 + 5 / 60 }]);
    await vi.waitFor(() => expect(a.core.account('local').balance_credits).toBeCloseTo(100 - 1 - 5 / 60, 6));
    await vi.waitFor(() => expect(b.core.account('local').balance_credits).toBeCloseTo(100 - 1 - 5 / 60, 6));
  });

  it("holds an account's limit of one across coordinators: of 20 racing creates, one wins", async () => {
    const a = await makeHarness({ coordinator: 'a', boards: 20 });
    const b = await makeHarness({ coordinator: 'b', boards: 20 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).create({ board_type: 'virtual' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as ApiError).code] : []));
    expect(new Set(codes)).toEqual(new Set(['session_conflict']));
  });

  it('gives the same session for one Idempotency-Key sent to both, and 422 for another body', async () => {
    const a = await makeHarness({ coordinator: 'a' });
    const b = await makeHarness({ coordinator: 'b' });
    const [x, y] = await Promise.all([a.create({ board_type: 'virtual' }, 'k-1'), b.create({ board_type: 'virtual' }, 'k-1')]);
    expect(y.id).toBe(x.id);
    await expect(b.create({ board_type: 'virtual', idle_timeout_s: 9 }, 'k-1')).rejects.toMatchObject({ code: 'idempotency_mismatch' });
  });

  it('refuses a write made on a revision another coordinator changed, and the loser takes what was stored', async () => {
    const a = await makeHarness({ coordinator: 'a' });
    const b = await makeHarness({ coordinator: 'b' });
    const s = await a.create({ board_type: 'virtual', idle_timeout_s: 600 });
    await b.core.lookup('local', s.id);
    await stores.idle();
    // Both change it at once from the same revision: B's longer idle window against A's shorter one.
    const viaA = a.core.apply(a.find(s.id), { idle_timeout_s: 60 });
    const viaB = b.core.apply(b.find(s.id), { idle_timeout_s: 120 });
    await Promise.all([viaA, viaB]);
    await stores.idle();
    await vi.waitFor(() => expect(a.find(s.id).idle_timeout_s).toBe(b.find(s.id).idle_timeout_s));
    expect(a.find(s.id).rev).toBe(b.find(s.id).rev);
  });
  it('takes an active session over as idle: its clients were the other coordinator\'s, so its idle countdown starts', async () => {
    const a = await makeHarness({ coordinator: 'a', settings: metered });
    const b = await makeHarness({ coordinator: 'b', settings: metered });
    const s = await a.create({ board_type: 'virtual', idle_timeout_s: 30 });
    a.clients(s.id, 1);
    await vi.waitFor(() => expect(a.find(s.id).state).toBe('active'));
    await stores.idle();
    vi.advanceTimersByTime(5_000);
    expect(await b.core.takeOver(s.id, () => ({ resource: 'b/virtual-1' }))).toBe(true);
    const takenAt = Date.now();
    expect(b.find(s.id)).toMatchObject({ state: 'idle', idle_since: takenAt, coordinator: 'b' });
    // What the database holds says the same (its state column too, which the account limits count by).
    expect(await stores.query('SELECT state, record->>\'state\' AS recorded FROM sessions WHERE id = $1', [s.id])).toEqual([{ state: 'idle', recorded: 'idle' }]);
    // Nobody connects to B: the countdown ends it, and the board is free again.
    vi.advanceTimersByTime(30_000);
    await vi.waitFor(() => expect(b.find(s.id)).toMatchObject({ state: 'ended', end_reason: 'idle_timeout' }));
    await stores.idle();
    expect(await stores.query('SELECT live FROM sessions WHERE id = $1', [s.id])).toEqual([{ live: false }]);
  });
  it('moves a live session to B when B takes it over: A lets its port go without ending it, B opens it, once', async () => {
    const a = await makeHarness({ coordinator: 'a', settings: metered });
    const b = await makeHarness({ coordinator: 'b', settings: metered });
    const c = await makeHarness({ coordinator: 'c', settings: metered });
    const s = await a.create({ board_type: 'virtual', idle_timeout_s: 600 });
    await stores.idle();
    // B and C both try (a host cannot be on both, but the store must hold if it seems so): one of them gets it.
    const [byB, byC] = await Promise.all([
      b.core.takeOver(s.id, () => ({ resource: 'b/virtual-1' })),
      c.core.takeOver(s.id, () => ({ resource: 'c/virtual-1' })),
    ]);
    expect([byB, byC].filter(Boolean)).toHaveLength(1);
    const [winner, loser] = byB ? [b, c] : [c, b];
    const name = byB ? 'b' : 'c';
    expect(winner.find(s.id)).toMatchObject({ state: 'idle', coordinator: name, resource: `${name}/virtual-1`, ended_at: null });
    expect(winner.ports.opened).toEqual([s.id]);
    expect(loser.ports.opened).toEqual([]);
    // A hears of it and closes its line: the session goes on elsewhere, so nothing ends and nothing is charged.
    await vi.waitFor(() => expect(a.ports.closed).toEqual([s.id]));
    expect(a.find(s.id)).toMatchObject({ state: 'idle', coordinator: name, ended_at: null });
    expect(await stores.query('SELECT count(*)::int AS n FROM credit_ledger')).toEqual([{ n: 0 }]);
    // Taken over again by the loser: refused when the patch says it is not one to take, and once it has ended.
    expect(await loser.core.takeOver(s.id, () => null)).toBe(false);
    vi.advanceTimersByTime(60_000);
    await winner.core.end('local', s.id);
    expect(await loser.core.takeOver(s.id, () => ({ resource: 'x/virtual-1' }))).toBe(false);
    expect(await stores.query('SELECT credits FROM credit_ledger WHERE session_id = $1', [s.id])).toEqual([{ credits: 2 }]);
  });
});
