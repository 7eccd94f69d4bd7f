import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../../src/transport/protocol/errors.js';
import { CDP_CLOSE } from '../../../../src/transport/protocol/browser-api.js';
import { STORES, useStores } from '../../../helpers/stores.js';
import { browserHarnessOn, isFinal, type harness } from './browser-harness.js';

beforeEach(() => {
  // The core's timers and clock are fake; the store's I/O (and its setImmediate turns) are real.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(new Date('2030-03-10T12:00:00.000Z'));
});
afterEach(() => vi.useRealTimers());

async function createReady(h: ReturnType<typeof harness>, req = {}) {
  const pending = h.engine.create('local', req);
  await h.flush();
  const live = h.launches.at(-1)!.resolve();
  return { session: await pending, live };
}

describe.each(STORES)('browser sessions on the %s store', (storeName) => {
  const stores = useStores(storeName);
  const harness = browserHarnessOn(stores);

  describe('browser sessions: lifecycle', () => {
    it('queued → assigning → ready: the create answers once the browser is up, with a cdp_url', async () => {
      const h = harness();
      const states: string[] = [];
      h.engine.on('change', (s) => states.push(s.status));
      const { session } = await createReady(h, { record: ['har'] });
      expect(states).toEqual(['queued', 'assigning', 'ready']);
      expect(session).toMatchObject({ kind: 'browser', status: 'ready', readyAt: '2030-03-10T12:00:00.000Z', browserVersion: 'HeadlessChrome/156', duration: null, error: null });
      expect(session.cdpUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:9/v1/browsers/${session.id}/cdp\\?token=cdp_[A-Za-z0-9_-]{32}$`));
      expect(session.expiresAt).toBe('2030-03-10T12:30:00.000Z');
    });

    it('a connected client makes it active, its leaving makes it ready again', async () => {
      const h = harness();
      const { session } = await createReady(h);
      const leave = h.engine.clientConnected(session.id, vi.fn());
      expect(h.engine.find('local', session.id).state).toBe('active');
      leave();
      expect(h.engine.view(h.engine.find('local', session.id))).toMatchObject({ status: 'ready', clients: 0 });
    });

    it('ending collects artifacts, closes connected clients with a reason, and lists the artifacts', async () => {
      const h = harness();
      const { session, live } = await createReady(h, { record: ['har'] });
      const close = vi.fn();
      h.engine.clientConnected(session.id, close);
      const ended = await h.engine.end('local', session.id);
      expect(close).toHaveBeenCalledWith(CDP_CLOSE.ended, 'session ended (user_ended)');
      expect(live.finished).toEqual([`/tmp/artifacts/${session.id}`]);
      expect(ended).toMatchObject({ status: 'ended', endReason: 'user_ended', cdpUrl: null, duration: 0 });
      expect(ended.artifacts).toEqual({
        screenshots: [],
        har: { name: 'network.har', url: `/v1/browsers/${session.id}/artifacts/network.har`, path: '/tmp/x/network.har', bytes: 10, contentType: 'application/json' },
        recording: null,
        consoleLogs: null,
      });
      expect(await h.engine.end('local', session.id)).toEqual(ended);
    });

    it('max_duration_ms ends it at the instant, counted from ready', async () => {
      const h = harness();
      const { session } = await createReady(h, { maxDurationMs: 60_000 });
      await vi.advanceTimersByTimeAsync(59_999);
      expect(h.engine.find('local', session.id).state).toBe('ready');
      await vi.advanceTimersByTimeAsync(1);
      expect(h.engine.view(h.engine.find('local', session.id))).toMatchObject({ status: 'ended', endReason: 'max_duration', usedMs: 60_000, duration: 60 });
    });

    it('a browser that crashes fails the session with the reason and what it recorded, closes its client and frees the slot', async () => {
      const h = harness({ capacity: 1 });
      const { session, live } = await createReady(h, { record: ['har'] });
      const close = vi.fn();
      h.engine.clientConnected(session.id, close);
      const queued = h.engine.create('local', {});
      await h.flush();
      expect(h.launches).toHaveLength(1);
      live.crash('Chromium was killed by SIGSEGV');
      await h.flush();
      expect(h.engine.view(h.engine.find('local', session.id))).toMatchObject({ status: 'failed', endReason: 'failed', error: 'Chromium was killed by SIGSEGV' });
      // Its ending wrote what was recorded up to the crash.
      expect(live.finished).toEqual([`/tmp/artifacts/${session.id}`]);
      expect(h.engine.view(h.engine.find('local', session.id)).artifacts.har).toMatchObject({ name: 'network.har' });
      expect(close).toHaveBeenCalledWith(CDP_CLOSE.failed, 'browser failed: Chromium was killed by SIGSEGV');
      expect(h.launches).toHaveLength(2);
      h.launches[1]!.resolve();
      expect(await queued).toMatchObject({ status: 'queued' });
    });

    it('a launch that fails is `failed` with its reason and never holds a slot', async () => {
      const h = harness({ capacity: 1 });
      const pending = h.engine.create('local', {});
      await h.flush();
      h.launches[0]!.reject(new Error('Chromium exited with code 1: bad flag'));
      expect(await pending).toMatchObject({ status: 'failed', error: 'Chromium exited with code 1: bad flag', cdpUrl: null });
      await createReady(h);
    });

    it('ended while assigning: the browser, once up, is closed at once and the session ends', async () => {
      const h = harness();
      const pending = h.engine.create('local', {});
      await h.flush();
      const id = h.launches[0]!.id;
      const ending = h.engine.end('local', id);
      expect(h.engine.find('local', id).state).toBe('ending');
      const live = h.launches[0]!.resolve();
      expect(await ending).toMatchObject({ status: 'ended', endReason: 'user_ended', readyAt: null, duration: 0 });
      // Never ready: closed, nothing collected.
      expect([live.closed, live.finished]).toEqual([1, []]);
      expect((await pending).status).toBe('ended');
    });
  });

  describe('browser sessions: queue and limits', () => {
    it('holds creates in a first-come queue while the host is full, and starts them as slots free', async () => {
      const h = harness({ capacity: 1 });
      const first = await createReady(h);
      const second = await h.engine.create('local', {});
      const third = await h.engine.create('local', {});
      expect([second.status, second.queuePosition, third.queuePosition]).toEqual(['queued', 1, 2]);
      expect(h.engine.list('local').host).toEqual({ maxConcurrent: 1, running: 1, queued: 2, warm: 0 });
      await h.engine.end('local', first.session.id);
      // The freed slot goes to the queue once the end is stored.
      await h.flush();
      expect(h.engine.view(h.engine.find('local', third.id)).queuePosition).toBe(1);
      h.launches[1]!.resolve();
      await h.flush();
      expect(h.engine.find('local', second.id).state).toBe('ready');
      expect(h.launches[1]!.id).toBe(second.id);
    });

    it('ending a queued session ends it without a browser', async () => {
      const h = harness({ capacity: 1 });
      await createReady(h);
      const queued = await h.engine.create('local', {});
      expect(await h.engine.end('local', queued.id)).toMatchObject({ status: 'ended', endReason: 'user_ended', queuePosition: null });
      expect(h.launches).toHaveLength(1);
    });

    it('over the plan’s concurrency: 429 concurrency_limit with Retry-After until the earliest cap', async () => {
      const h = harness({ plan: { max_concurrent: 1, monthly_hours: null } });
      const { session } = await createReady(h, { maxDurationMs: 120_000 });
      await vi.advanceTimersByTimeAsync(20_000);
      const err = await h.engine.create('local', {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ code: 'concurrency_limit', status: 429, headers: { 'retry-after': '100' }, extra: { liveSessions: [session.id] } });
      expect((err as Error).message).toMatch(/^Concurrent browser session limit reached: account local has 1 live browser session/);
      expect((err as Error).message).toContain('fbay browser end');
    });

    it('monthly browser hours used up: a warning a minute before, the running session ends quota_exceeded, then 429 until the month turns', async () => {
      const h = harness({ plan: { max_concurrent: 5, monthly_hours: 0.25 } });
      const warnings: string[] = [];
      h.core.on('event', (e) => e.type === 'warning' && warnings.push(`${e.kind} ${e.seconds_left}`));
      const { session } = await createReady(h);
      await vi.advanceTimersByTimeAsync(14 * 60_000);
      expect(warnings).toEqual(['quota_low 60']);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(h.engine.view(h.engine.find('local', session.id))).toMatchObject({ status: 'ended', endReason: 'quota_exceeded', duration: 900 });
      const err = await h.engine.create('local', {}).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'quota_exceeded', status: 429, extra: { monthlyHours: 0.25, resetsAt: '2030-04-01T00:00:00.000Z' } });
      expect((err as Error).message).toMatch(/^Monthly browser hours limit reached: account local has used 0.25 of the 0.25/);
      const secondsToApril = (Date.parse('2030-04-01T00:00:00Z') - Date.now()) / 1000;
      expect(Number((err as ApiError).headers['retry-after'])).toBe(Math.ceil(secondsToApril));
      expect(h.engine.list('local').plan).toMatchObject({ plan: 'scale', usedHours: 0.25, monthlyHours: 0.25 });
    });

    it('no browser installed: the create is refused with how to install one, and nothing is created', async () => {
      const h = harness();
      h.uninstall();
      await expect(h.engine.create('local', {})).rejects.toMatchObject({ code: 'upstream_unavailable', extra: { next: expect.stringContaining('chromium') } });
      expect(h.engine.list('local', true).browsers).toEqual([]);
    });

    it('hides sessions of other accounts', async () => {
      const h = harness();
      const { session } = await createReady(h);
      expect(() => h.engine.find('key_someone', session.id)).toThrow(/No browser session/);
    });
  });

  describe('browser sessions: restore and shutdown', () => {
    it('sessions live when the daemon died come back failed, their browser time bounded by the cap', async () => {
      const h = harness();
      const { session } = await createReady(h, { maxDurationMs: 600_000 });
      // The daemon dies: its timers never fire; an hour later another one starts on the same journal.
      vi.setSystemTime(Date.now() + 3_600_000);
      const after = harness({ store: await stores.reopen(h.store, isFinal) });
      await after.engine.restore();
      const s = after.engine.view(after.engine.find('local', session.id));
      expect(s).toMatchObject({ status: 'failed', usedMs: 600_000 });
      expect(s.error).toMatch(/daemon stopped/);
      expect(after.engine.list('local').plan.usedHours).toBeCloseTo(600_000 / 3_600_000, 3);
    });

    it('shutdown ends live sessions with host_shutdown (artifacts collected) and queued ones too', async () => {
      const h = harness({ capacity: 1 });
      const { session, live } = await createReady(h, { record: ['consoleLogs'] });
      const queued = await h.engine.create('local', {});
      await h.engine.shutdown();
      expect(h.engine.find('local', session.id)).toMatchObject({ state: 'ended', end_reason: 'host_shutdown' });
      expect(h.engine.find('local', queued.id)).toMatchObject({ state: 'ended', end_reason: 'host_shutdown' });
      expect(live.finished).toHaveLength(1);
      await expect(h.engine.create('local', {})).rejects.toMatchObject({ code: 'upstream_unavailable' });
    });
  });

  describe('browser sessions: clients', () => {
    it('refuses connections to a session that is not usable, saying why', async () => {
      const h = harness({ capacity: 1 });
      const { session } = await createReady(h);
      const queued = await h.engine.create('local', {});
      expect(() => h.engine.connectionFor('local', queued.id)).toThrow(expect.objectContaining({ code: 'session_conflict' }));
      expect(h.engine.connectionFor('local', session.id)).toEqual({ fake: true });
      await h.engine.end('local', session.id);
      expect(() => h.engine.connectionFor('local', session.id)).toThrow(expect.objectContaining({ code: 'not_found', message: expect.stringContaining('has ended (user_ended)') }));
    });

    it('checks the cdp_url token on TCP', async () => {
      const h = harness();
      const { session } = await createReady(h);
      const token = new URL(session.cdpUrl!).searchParams.get('token');
      expect(h.engine.connectionForToken(session.id, token).account).toBe('local');
      expect(() => h.engine.connectionForToken(session.id, `${token}x`)).toThrow(expect.objectContaining({ code: 'unauthorized' }));
      expect(() => h.engine.connectionForToken(session.id, null)).toThrow(expect.objectContaining({ code: 'unauthorized' }));
    });
  });

  describe('browser sessions: config changes', () => {
    it('starts queued sessions when browsers.max_concurrent grows', async () => {
      const h = harness({ capacity: 1 });
      await createReady(h);
      const queued = await h.engine.create('local', {});
      expect(h.launches).toHaveLength(1);
      h.settings.max_concurrent = 2;
      h.engine.settingsChanged();
      await h.flush();
      expect(h.engine.find('local', queued.id).state).toBe('assigning');
      expect(h.launches.at(-1)!.id).toBe(queued.id);
    });
  });
});
