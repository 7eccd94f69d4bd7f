import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../src/transport/protocol/errors.js';
import { CDP_CLOSE } from '../../../src/transport/protocol/browser-api.js';
import { MemoryBrowserStore } from '../../../src/daemon/browsers/browser-store.js';
import { FakeLive, harness } from './engine-harness.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2030-03-10T12:00:00.000Z'));
});
afterEach(() => vi.useRealTimers());

async function createReady(h: ReturnType<typeof harness>, req = {}) {
  const pending = h.engine.create('local', req);
  await h.flush();
  const live = h.launches.at(-1)!.resolve();
  return { session: await pending, live };
}

describe('BrowserEngine lifecycle', () => {
  it('queued → assigning → ready: the create answers once the browser is up, with a cdp_url', async () => {
    const h = harness();
    const states: string[] = [];
    h.engine.on('change', (s) => states.push(s.state));
    const { session } = await createReady(h, { record: ['har'] });
    expect(states).toEqual(['queued', 'assigning', 'ready']);
    expect(session).toMatchObject({ kind: 'browser', state: 'ready', ready_at: '2030-03-10T12:00:00.000Z', browser_version: 'HeadlessChrome/156' });
    expect(session.cdp_url).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:9/v1/browsers/${session.id}/cdp\\?token=cdp_[A-Za-z0-9_-]{32}$`));
    expect(session.expires_at).toBe('2030-03-10T12:30:00.000Z');
  });

  it('a connected client makes it active, its leaving makes it ready again', async () => {
    const h = harness();
    const { session } = await createReady(h);
    const leave = h.engine.clientConnected(session.id, vi.fn());
    expect(h.engine.find('local', session.id).state).toBe('active');
    leave();
    expect(h.engine.view(h.engine.find('local', session.id))).toMatchObject({ state: 'ready', clients: 0 });
  });

  it('ending collects artifacts, closes connected clients with a reason, and lists the artifacts', async () => {
    const h = harness();
    const { session, live } = await createReady(h, { record: ['har'] });
    const close = vi.fn();
    h.engine.clientConnected(session.id, close);
    const ended = await h.engine.end('local', session.id);
    expect(close).toHaveBeenCalledWith(CDP_CLOSE.ended, 'session ended (user_ended)');
    expect(live.finished).toEqual([`/tmp/artifacts/${session.id}`]);
    expect(ended).toMatchObject({ state: 'ended', end_reason: 'user_ended', cdp_url: null, artifacts: live.artifacts });
    expect(h.cleaned).toContain(session.id);
    expect(await h.engine.end('local', session.id)).toEqual(ended);
  });

  it('max_duration_ms ends it at the instant, counted from ready', async () => {
    const h = harness();
    const { session } = await createReady(h, { max_duration_ms: 60_000 });
    await vi.advanceTimersByTimeAsync(59_999);
    expect(h.engine.find('local', session.id).state).toBe('ready');
    await vi.advanceTimersByTimeAsync(1);
    expect(h.engine.view(h.engine.find('local', session.id))).toMatchObject({ state: 'ended', end_reason: 'max_duration', browser_ms: 60_000 });
  });

  it('a browser that crashes fails the session with the reason, closes its client and frees the slot', async () => {
    const h = harness({ capacity: 1 });
    const { session, live } = await createReady(h);
    const close = vi.fn();
    h.engine.clientConnected(session.id, close);
    const queued = h.engine.create('local', {});
    await h.flush();
    expect(h.launches).toHaveLength(1);
    live.crash('Chromium was killed by SIGSEGV');
    await h.flush();
    expect(h.engine.find('local', session.id)).toMatchObject({ state: 'failed', failure_reason: 'Chromium was killed by SIGSEGV' });
    expect(close).toHaveBeenCalledWith(CDP_CLOSE.failed, 'browser failed: Chromium was killed by SIGSEGV');
    expect(h.launches).toHaveLength(2);
    h.launches[1]!.resolve();
    expect(await queued).toMatchObject({ state: 'queued' });
  });

  it('a launch that fails is `failed` with its reason and never holds a slot', async () => {
    const h = harness({ capacity: 1 });
    const pending = h.engine.create('local', {});
    await h.flush();
    h.launches[0]!.reject(new Error('Chromium exited with code 1: bad flag'));
    expect(await pending).toMatchObject({ state: 'failed', failure_reason: 'Chromium exited with code 1: bad flag', cdp_url: null });
    expect(h.cleaned).toHaveLength(1);
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
    expect(await ending).toMatchObject({ state: 'ended', end_reason: 'user_ended', ready_at: null });
    expect(live.closed).toBe(1);
    expect((await pending).state).toBe('ended');
    expect(h.cleaned).toEqual([id]);
  });
});

describe('BrowserEngine queue and limits', () => {
  it('holds creates in a first-come queue while the host is full, and starts them as slots free', async () => {
    const h = harness({ capacity: 1 });
    const first = await createReady(h);
    const second = await h.engine.create('local', {});
    const third = await h.engine.create('local', {});
    expect([second.state, second.queue_position, third.queue_position]).toEqual(['queued', 1, 2]);
    expect(h.engine.list('local').host).toEqual({ max_concurrent: 1, running: 1, queued: 2 });
    await h.engine.end('local', first.session.id);
    expect(h.engine.view(h.engine.find('local', third.id)).queue_position).toBe(1);
    h.launches[1]!.resolve();
    await h.flush();
    expect(h.engine.find('local', second.id).state).toBe('ready');
    expect(h.launches[1]!.id).toBe(second.id);
  });

  it('ending a queued session ends it without a browser', async () => {
    const h = harness({ capacity: 1 });
    await createReady(h);
    const queued = await h.engine.create('local', {});
    expect(await h.engine.end('local', queued.id)).toMatchObject({ state: 'ended', end_reason: 'user_ended', queue_position: null });
    expect(h.launches).toHaveLength(1);
  });

  it('over the plan’s concurrency: 429 concurrency_limit with Retry-After until the earliest cap', async () => {
    const h = harness({ plan: { max_concurrent: 1, monthly_hours: null } });
    const { session } = await createReady(h, { max_duration_ms: 120_000 });
    await vi.advanceTimersByTimeAsync(20_000);
    const err = await h.engine.create('local', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'concurrency_limit', status: 429, headers: { 'retry-after': '100' }, extra: { live_sessions: [session.id] } });
    expect((err as Error).message).toContain('fbay browser end');
  });

  it('monthly browser hours used up: 429 quota_exceeded until the month turns', async () => {
    const h = harness({ plan: { max_concurrent: 5, monthly_hours: 0.5 } });
    const { session } = await createReady(h);
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(h.engine.find('local', session.id).end_reason).toBe('max_duration');
    const err = await h.engine.create('local', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'quota_exceeded', status: 429, extra: { monthly_hours: 0.5, resets_at: '2030-04-01T00:00:00.000Z' } });
    const secondsToApril = (Date.parse('2030-04-01T00:00:00Z') - Date.now()) / 1000;
    expect(Number((err as ApiError).headers['retry-after'])).toBe(Math.ceil(secondsToApril));
    expect(h.engine.list('local').plan).toMatchObject({ plan: 'builder', used_hours: 0.5, monthly_hours: 0.5 });
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

describe('BrowserEngine restore and shutdown', () => {
  it('sessions live when the daemon died come back failed, their browser time bounded by the cap', async () => {
    const store = new MemoryBrowserStore();
    const h = harness({ store });
    const { session } = await createReady(h, { max_duration_ms: 600_000 });
    // The daemon dies: its timers never fire; an hour later another one starts on the same journal.
    vi.setSystemTime(Date.now() + 3_600_000);
    const after = harness({ store });
    after.engine.restore();
    const s = after.engine.view(after.engine.find('local', session.id));
    expect(s).toMatchObject({ state: 'failed', browser_ms: 600_000 });
    expect(s.failure_reason).toMatch(/daemon stopped/);
    expect(after.engine.list('local').plan.used_hours).toBeCloseTo(600_000 / 3_600_000, 3);
  });

  it('shutdown ends live sessions with host_shutdown (artifacts collected) and queued ones too', async () => {
    const h = harness({ capacity: 1 });
    const { session, live } = await createReady(h, { record: ['console_log'] });
    const queued = await h.engine.create('local', {});
    await h.engine.shutdown();
    expect(h.engine.find('local', session.id)).toMatchObject({ state: 'ended', end_reason: 'host_shutdown' });
    expect(h.engine.find('local', queued.id)).toMatchObject({ state: 'ended', end_reason: 'host_shutdown' });
    expect(live.finished).toHaveLength(1);
    await expect(h.engine.create('local', {})).rejects.toMatchObject({ code: 'upstream_unavailable' });
  });
});

describe('BrowserEngine clients', () => {
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
    const token = new URL(session.cdp_url!).searchParams.get('token');
    expect(h.engine.connectionForToken(session.id, token).account).toBe('local');
    expect(() => h.engine.connectionForToken(session.id, `${token}x`)).toThrow(expect.objectContaining({ code: 'unauthorized' }));
    expect(() => h.engine.connectionForToken(session.id, null)).toThrow(expect.objectContaining({ code: 'unauthorized' }));
  });
});

describe('BrowserEngine config changes', () => {
  it('starts queued sessions when browsers.max_concurrent grows', async () => {
    const h = harness({ capacity: 1 });
    await createReady(h);
    const queued = await h.engine.create('local', {});
    expect(h.launches).toHaveLength(1);
    h.settings.max_concurrent = 2;
    h.engine.settingsChanged();
    expect(h.engine.find('local', queued.id).state).toBe('assigning');
    expect(h.launches.at(-1)!.id).toBe(queued.id);
  });
});
