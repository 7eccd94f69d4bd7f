import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../../src/transport/protocol/errors.js';
import { STORES, useStores } from '../../../helpers/stores.js';
import { ended, harnessOn, T0, useFakeClock, warnings } from './board-harness.js';

const at = (ms: number) => new Date(T0 + ms).toISOString();

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe.each(STORES)('board sessions on the %s store', (storeName) => {
  const makeHarness = harnessOn(useStores(storeName));

  describe('board sessions: lifecycle and idle countdown', () => {
    beforeEach(useFakeClock);
    afterEach(() => vi.useRealTimers());

    it('allocates a board: pending → allocating → idle, and charges 1 credit at idle', async () => {
      const h = await makeHarness();
      const s = await h.create({ board_type: 'virtual' }, null);
      expect(s).toMatchObject({ state: 'idle', board_id: 'virtual-1', started_at: at(0), idle_deadline: at(30_000), credits_used: 1 });
      const states = h.events.filter((e) => e.type === 'state').map((e) => (e.type === 'state' && 'state' in e.session ? e.session.state : ''));
      expect(states).toEqual(['pending', 'allocating', 'idle']);
      expect(h.ports.opened).toEqual([s.id]);
    });

    it('ends an idle session at exactly 30 000 ms with idle_timeout, warning at 10 s left', async () => {
      const h = await makeHarness();
      const s = await h.create({ board_type: 'virtual' }, null);
      vi.advanceTimersByTime(19_999);
      expect(warnings(h)).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(warnings(h)).toEqual([{ type: 'warning', kind: 'idle_warning', session_id: s.id, at: at(30_000), seconds_left: 10 }]);
      vi.advanceTimersByTime(9_999);
      expect(h.view(s.id).state).toBe('idle');
      vi.advanceTimersByTime(1);
      const done = h.view(s.id);
      expect(done).toMatchObject({ state: 'ended', end_reason: 'idle_timeout', ended_at: at(30_000), ws_url: null });
      expect(done.credits_used).toBeCloseTo(1.5, 9);
      expect(ended(h)).toHaveLength(1);
      expect(h.ports.closed).toEqual([s.id]);
    });

    it('a connected client makes it active (no countdown); the last disconnect starts a fresh window', async () => {
      const h = await makeHarness();
      const s = await h.create({ board_type: 'virtual', idle_timeout_s: 5 }, null);
      vi.advanceTimersByTime(4000);
      h.clients(s.id, 1);
      expect(h.view(s.id)).toMatchObject({ state: 'active', idle_deadline: null });
      vi.advanceTimersByTime(60_000);
      h.clients(s.id, 2);
      h.clients(s.id, 0);
      expect(h.view(s.id)).toMatchObject({ state: 'idle', idle_deadline: at(69_000) });
      vi.advanceTimersByTime(4999);
      expect(h.find(s.id).state).toBe('idle');
      vi.advanceTimersByTime(1);
      expect(h.find(s.id)).toMatchObject({ state: 'ended', end_reason: 'idle_timeout', ended_at: T0 + 69_000 });
    });

    it('ending an ended session returns it unchanged', async () => {
      const h = await makeHarness();
      const s = await h.create({ board_type: 'virtual' }, null);
      vi.advanceTimersByTime(2500);
      const first = h.end(s.id);
      vi.advanceTimersByTime(10_000);
      expect(h.end(s.id)).toEqual(first);
      expect(first).toMatchObject({ end_reason: 'user_ended', ended_at: at(2500) });
      expect(ended(h)).toHaveLength(1);
    });
  });

  describe('board sessions: limits', () => {
    beforeEach(useFakeClock);
    afterEach(() => vi.useRealTimers());

    it('refuses a second live session with 409 session_conflict, and 50 racing creates give exactly one session', async () => {
      const h = await makeHarness({ boards: 60 });
      const results = await Promise.allSettled(Array.from({ length: 50 }, () => h.create({ board_type: 'virtual' }, null)));
      const ok = results.filter((r) => r.status === 'fulfilled');
      const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as ApiError).code] : []));
      expect(ok).toHaveLength(1);
      expect(codes).toEqual(Array(49).fill('session_conflict'));
    });

    it('404s an unknown board type with the known types, 503s when every board is busy', async () => {
      const h = await makeHarness({ boards: 1, settings: { tiers: { local: { max_concurrent: 5, max_session_s: null, initial_credits: null } } } });
      const unknown = await rejection(h.create({ board_type: 'esp32-c9' }, null));
      expect(unknown.status).toBe(404);
      expect(unknown.message).toContain('esp32-s3, usb-serial, virtual');
      await h.create({ board_type: 'virtual' }, null);
      const busy = await rejection(h.create({ board_type: 'virtual' }, null));
      expect(busy).toMatchObject({ status: 503, code: 'no_board_available', extra: { busy: 1 } });
    });

    it('402s a create when the balance is below one credit', async () => {
      const h = await makeHarness({ settings: { account: { tier: 'local', balance_credits: 0 } } });
      const err = await rejection(h.create({ board_type: 'virtual' }, null));
      expect(err).toMatchObject({ status: 402, code: 'payment_required' });
    });

    it('ends with credits_exhausted at the instant the balance reaches zero, credits_low a minute before', async () => {
      const h = await makeHarness({ settings: { account: { tier: 'local', balance_credits: 3 } } });
      const s = await h.create({ board_type: 'virtual', idle_timeout_s: 86_400 }, null);
      vi.advanceTimersByTime(59_999);
      expect(warnings(h)).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(warnings(h)[0]).toMatchObject({ kind: 'credits_low', seconds_left: 60 });
      vi.advanceTimersByTime(59_999);
      expect(h.find(s.id).state).toBe('idle');
      vi.advanceTimersByTime(1);
      expect(h.find(s.id)).toMatchObject({ state: 'ended', end_reason: 'credits_exhausted', ended_at: T0 + 120_000 });
      expect(h.core.account('local')).toMatchObject({ balance_credits: 0, credits_used_total: 3 });
      await rejection(h.create({ board_type: 'virtual' }, null));
    });

    it('caps a free-tier session at 10 minutes (max_duration) with a warning a minute before', async () => {
      const h = await makeHarness({ settings: { account: { tier: 'free' } } });
      expect(h.core.account('local')).toMatchObject({ tier: 'free', balance_credits: 20 });
      const s = await h.create({ board_type: 'virtual' }, null);
      h.clients(s.id, 1);
      vi.advanceTimersByTime(540_000);
      expect(warnings(h).map((w) => w.type === 'warning' && w.kind)).toEqual(['duration_warning']);
      vi.advanceTimersByTime(60_000);
      expect(h.find(s.id)).toMatchObject({ end_reason: 'max_duration', ended_at: T0 + 600_000 });
      expect(h.core.account('local').balance_credits).toBe(9);
    });

    it('ends a session at its own max_credits budget', async () => {
      const h = await makeHarness();
      const s = await h.create({ board_type: 'virtual', max_credits: 2, idle_timeout_s: 3600 }, null);
      expect(s.expires_at).toBe(at(60_000));
      vi.advanceTimersByTime(60_000);
      const v = h.view(s.id);
      expect(v).toMatchObject({ end_reason: 'credits_exhausted', ended_at: at(60_000), credits_used: 2 });
    });
  });

  describe('board sessions: idempotency and waiting', () => {
    beforeEach(useFakeClock);
    afterEach(() => vi.useRealTimers());

    it('same key and body → same session; same key, other body → 422', async () => {
      const h = await makeHarness();
      const a = await h.create({ board_type: 'virtual', metadata: { ci: '1' } }, 'k1');
      const b = await h.create({ metadata: { ci: '1' }, board_type: 'virtual' }, 'k1');
      expect(b.id).toBe(a.id);
      const err = await rejection(h.create({ board_type: 'virtual', idle_timeout_s: 9 }, 'k1'));
      expect(err).toMatchObject({ status: 422, code: 'idempotency_mismatch' });
    });

    it('queues with wait_s first come first served, and gives up with allocation_failed when the wait runs out', async () => {
      const pro = { account: { tier: 'pro' }, tiers: { pro: { max_concurrent: 5, max_session_s: null, initial_credits: null } } };
      const h = await makeHarness({ boards: 1, settings: pro as never });
      const holder = await h.create({ board_type: 'virtual' }, null);
      const first = await h.create({ board_type: 'virtual', wait_s: 60 }, null);
      const second = await h.create({ board_type: 'virtual', wait_s: 5 }, null);
      expect([first.state, second.state]).toEqual(['pending', 'pending']);
      vi.advanceTimersByTime(5000);
      expect(h.find(second.id)).toMatchObject({ state: 'ended', end_reason: 'allocation_failed', ended_at: T0 + 5000 });
      expect(h.view(second.id).credits_used).toBe(0);
      h.end(holder.id);
      await vi.waitFor(() => expect(h.find(first.id).state).toBe('idle'));
      expect(h.find(first.id).board_id).toBe('virtual-1');
    });

    it('a port that fails to open ends the session with allocation_failed and a 503 naming the board', async () => {
      const h = await makeHarness();
      h.ports.fail = 'EBUSY: resource busy';
      const err = await rejection(h.create({ board_type: 'virtual' }, null));
      expect(err.code).toBe('no_board_available');
      expect(err.message).toContain('virtual-1');
      expect(h.core.list('local', { all: true })[0]).toMatchObject({ state: 'ended', end_reason: 'allocation_failed' });
      expect(h.core.holders().size).toBe(0);
    });
  });

  describe('board sessions: restart from the journal', () => {
    beforeEach(useFakeClock);
    afterEach(() => vi.useRealTimers());

    it('continues the idle window and the meter from timestamps, charging nothing twice', async () => {
      const first = await makeHarness({ settings: { account: { tier: 'local', balance_credits: 100 } } });
      const s = await first.create({ board_type: 'virtual' }, 'key-1');
      vi.advanceTimersByTime(10_000);
      void first.core.shutdown(true); // like kill -9: no more timers, nothing written
      vi.advanceTimersByTime(5_000);
      const second = await makeHarness({ store: first.store, settings: { account: { tier: 'local', balance_credits: 100 } } });
      expect(second.view(s.id)).toMatchObject({ state: 'idle', idle_deadline: at(30_000) });
      const again = await second.create({ board_type: 'virtual' }, 'key-1');
      expect(again.id).toBe(s.id);
      vi.advanceTimersByTime(14_999);
      expect(second.find(s.id).state).toBe('idle');
      vi.advanceTimersByTime(1);
      expect(second.view(s.id)).toMatchObject({ end_reason: 'idle_timeout', ended_at: at(30_000), credits_used: 1.5 });
      expect(second.core.account('local').balance_credits).toBe(98.5);
    });

    it('ends, at the right past instant, a session whose deadline passed while the daemon was down', async () => {
      const first = await makeHarness();
      const s = await first.create({ board_type: 'virtual' }, null);
      void first.core.shutdown(true); // like kill -9: no more timers, nothing written
      vi.advanceTimersByTime(300_000);
      const second = await makeHarness({ store: first.store });
      expect(second.find(s.id)).toMatchObject({ state: 'ended', end_reason: 'idle_timeout', ended_at: T0 + 30_000 });
      expect(second.core.account('local').credits_used_total).toBe(1.5);
      expect(second.core.holders().size).toBe(0);
    });

    it('gives an active session a fresh idle window after the restart, since its clients are gone', async () => {
      const first = await makeHarness();
      const s = await first.create({ board_type: 'virtual' }, null);
      first.clients(s.id, 1);
      void first.core.shutdown(true); // like kill -9: no more timers, nothing written
      vi.advanceTimersByTime(100_000);
      const second = await makeHarness({ store: first.store });
      expect(second.view(s.id)).toMatchObject({ state: 'idle', idle_deadline: at(130_000) });
    });
  });

  describe('board sessions: history', () => {
    beforeEach(useFakeClock);
    afterEach(() => vi.useRealTimers());

    it('keeps the newest ended sessions on compaction, and a forgotten idempotency key creates anew', async () => {
      const h = await makeHarness({ keepEnded: 2 });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const s = await h.create({ board_type: 'virtual' }, `k${i}`);
        ids.push(s.id);
        h.end(s.id);
      }
      await h.core.compact();
      expect(h.core.list('local', { all: true }).map((s) => s.id)).toEqual(ids.slice(1));
      const again = await h.create({ board_type: 'virtual' }, 'k0');
      expect(ids).not.toContain(again.id);
    });
  });

  describe('board sessions: a board that goes missing', () => {
    beforeEach(useFakeClock);
    afterEach(() => vi.useRealTimers());

    it('holds the board for exactly the grace window, then ends with board_lost', async () => {
      const h = await makeHarness();
      const s = await h.create({ board_type: 'virtual' }, null);
      h.clients(s.id, 1);
      vi.advanceTimersByTime(1000);
      h.lost(s.id);
      expect(h.view(s.id)).toMatchObject({ board_missing_since: at(1000), grace_deadline: at(6000) });
      vi.advanceTimersByTime(4999);
      expect(h.find(s.id).state).toBe('active');
      vi.advanceTimersByTime(1);
      expect(h.find(s.id)).toMatchObject({ state: 'ended', end_reason: 'board_lost', ended_at: T0 + 6000 });
    });

    it('carries on when the board is back in time, and the grace survives a restart', async () => {
      const h = await makeHarness();
      const s = await h.create({ board_type: 'virtual', idle_timeout_s: 3600 }, null);
      h.lost(s.id);
      vi.advanceTimersByTime(3000);
      h.back(s.id);
      vi.advanceTimersByTime(10_000);
      expect(h.view(s.id)).toMatchObject({ state: 'idle', board_missing_since: null, grace_deadline: null });
      h.lost(s.id);
      void h.core.shutdown(true);
      vi.advanceTimersByTime(2000);
      // Still unplugged when the daemon comes back: the port does not open, the original grace runs on.
      const again = await makeHarness({ store: h.store, failPorts: 'ENOENT: no such device' });
      vi.advanceTimersByTime(2999);
      expect(again.find(s.id).state).toBe('idle');
      vi.advanceTimersByTime(1);
      expect(again.find(s.id)).toMatchObject({ end_reason: 'board_lost', ended_at: T0 + 18_000 });
    });
  });

  describe('board sessions: a board back after a restart', () => {
    beforeEach(useFakeClock);
    afterEach(() => vi.useRealTimers());

    it('clears the missing mark when the restored port opens', async () => {
      const h = await makeHarness();
      const s = await h.create({ board_type: 'virtual', idle_timeout_s: 3600 }, null);
      h.lost(s.id);
      void h.core.shutdown(true);
      const again = await makeHarness({ store: h.store });
      await vi.waitFor(() => expect(again.find(s.id).board_lost_at).toBeNull());
      vi.advanceTimersByTime(60_000);
      expect(again.find(s.id).state).toBe('idle');
    });
  });
});
