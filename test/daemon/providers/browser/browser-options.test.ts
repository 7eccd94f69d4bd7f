// Browser sessions' configuration and their edges in the core, over a fake host: what the host is asked to launch,
// one profile per live session (the store's claim), ffmpeg missing, the queue timeout, ends that meet, 20 at once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { harness } from './browser-harness.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2030-03-10T12:00:00.000Z'));
});
afterEach(() => vi.useRealTimers());

async function createReady(h: ReturnType<typeof harness>, req = {}, account = 'local') {
  const pending = h.engine.create(account, req);
  await h.flush();
  const live = h.launches.at(-1)!.resolve();
  return { session: await pending, live };
}

describe('browser session configuration', () => {
  it('launches with what the create asked for, and shows it without the proxy password', async () => {
    const h = harness();
    const proxy = { server: 'http://127.0.0.1:3128', username: 'u', password: 'secret', bypass: 'localhost' };
    const fingerprint = { userAgent: 'Test/1.0', viewport: { width: 1024, height: 640 }, locale: 'de-DE', timezoneId: 'Asia/Tokyo' };
    const { session } = await createReady(h, { recording: true, record: ['har', 'har', 'screenshots'], profile: 'p1', proxy, fingerprint });
    expect(h.launches[0]!.spec).toEqual({ recording: true, record: ['har', 'screenshots'], profile: { key: 'local~p1' }, proxy, fingerprint });
    expect(session).toMatchObject({ recording: true, record: ['har', 'screenshots'], profile: 'p1', proxy: { server: proxy.server, username: 'u', bypass: 'localhost' }, fingerprint });
    expect(JSON.stringify(session)).not.toContain('secret');
  });

  it('a recording with ffmpeg missing is refused at create, and nothing is created', async () => {
    const h = harness();
    h.withoutFfmpeg();
    await expect(h.engine.create('local', { recording: true })).rejects.toMatchObject({ code: 'upstream_unavailable', message: expect.stringContaining('`ffmpeg` package') });
    expect(h.engine.list('local', true).browsers).toEqual([]);
    await createReady(h, {});
  });
});

describe('one live session per profile', () => {
  it('two creates at once for one profile: one session, one 409 naming it; free again once it ends', async () => {
    const h = harness();
    const [a, b] = [h.engine.create('local', { profile: 'login' }), h.engine.create('local', { profile: 'login' })];
    const refused = await b.catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'session_conflict', status: 409 });
    await h.flush();
    h.launches[0]!.resolve();
    const first = await a;
    expect((refused as Error).message).toBe(
      `The profile login is in use by the live browser session ${first.id}; a profile serves one session at a time. End that one first (\`fbay browser end ${first.id}\`), or use another profile key.`,
    );
    expect(h.launches).toHaveLength(1);
    // Another account's key of the same name is its own profile.
    await createReady(h, { profile: 'login' }, 'key_other');
    await h.engine.end('local', first.id);
    await createReady(h, { profile: 'login' });
  });

  it('a queued session holds its profile too', async () => {
    const h = harness({ capacity: 1 });
    await createReady(h);
    const queued = await h.engine.create('local', { profile: 'p' });
    expect(queued.status).toBe('queued');
    await expect(h.engine.create('local', { profile: 'p' })).rejects.toMatchObject({ code: 'session_conflict' });
  });
});

describe('the queue timeout', () => {
  it('a session queued past browsers.queue_timeout_s fails with a sentence; one assigned in time does not', async () => {
    const h = harness({ capacity: 1, queueTimeoutMs: 60_000 });
    const first = await createReady(h);
    const late = await h.engine.create('local', {});
    await vi.advanceTimersByTimeAsync(30_000);
    const inTime = await h.engine.create('local', {});
    await vi.advanceTimersByTimeAsync(30_000);
    expect(h.engine.view(h.engine.find('local', late.id))).toMatchObject({
      status: 'failed',
      endReason: 'queue_timeout',
      error: 'No browser slot came free on this host within 60 s (browsers.queue_timeout_s); create it again when fewer sessions run, or raise browsers.max_concurrent.',
    });
    await h.engine.end('local', first.session.id);
    await h.flush();
    h.launches.at(-1)!.resolve();
    await h.flush();
    expect(h.launches.at(-1)!.id).toBe(inTime.id);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.engine.find('local', inTime.id).state).toBe('ready');
  });
});

describe('ends that meet', () => {
  it('DELETE while ending waits for that end: ended once, with its artifacts, the browser finished once', async () => {
    const h = harness();
    const { session, live } = await createReady(h, { record: ['har'] });
    let release!: () => void;
    live.hold = new Promise((resolve) => (release = resolve));
    const first = h.engine.end('local', session.id);
    expect(h.engine.find('local', session.id).state).toBe('ending');
    let secondDone = false;
    const second = h.engine.end('local', session.id).then((s) => ((secondDone = true), s));
    await h.flush();
    expect([h.engine.find('local', session.id).state, secondDone]).toEqual(['ending', false]);
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(a).toEqual(b);
    expect(b).toMatchObject({ status: 'ended', endReason: 'user_ended', artifacts: { har: { name: 'network.har' } } });
    expect(live.finished).toHaveLength(1);
  });

  it('the cap firing while ending does not cut it short', async () => {
    const h = harness();
    const { session, live } = await createReady(h, { maxDurationMs: 10_000 });
    let release!: () => void;
    live.hold = new Promise((resolve) => (release = resolve));
    await vi.advanceTimersByTimeAsync(9_000);
    const ending = h.engine.end('local', session.id);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.engine.find('local', session.id).state).toBe('ending');
    release();
    expect(await ending).toMatchObject({ status: 'ended', endReason: 'user_ended' });
  });
});

describe('the plan at its limit', () => {
  it('20 creates at once on Free: one ready, 19 refused with the seed’s sentence and Retry-After', async () => {
    const h = harness({ plan: { max_concurrent: 1, monthly_hours: 5 } });
    const creates = Array.from({ length: 20 }, () => h.engine.create('local', {}).then((s) => s, (e: unknown) => e));
    await h.flush();
    expect(h.launches).toHaveLength(1);
    h.launches[0]!.resolve();
    const answers = await Promise.all(creates);
    const made = answers.filter((a) => !(a instanceof Error));
    const refused = answers.filter((a) => a instanceof Error) as (Error & { code: string; headers: Record<string, string> })[];
    expect(made.map((s) => (s as { status: string }).status)).toEqual(['ready']);
    expect(refused).toHaveLength(19);
    for (const e of refused) {
      expect(e.code).toBe('concurrency_limit');
      expect(e.message.startsWith('Concurrent browser session limit reached: ')).toBe(true);
      expect(Number(e.headers['retry-after'])).toBe(1800);
    }
  });
});
