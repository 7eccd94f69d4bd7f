// Sandbox sessions on the core, over a fake host: the states and when they change (to the millisecond), waking,
// holds, expiry, the piecewise meter, plan limits, concurrency, and what a daemon restart does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vi } from 'vitest';
import { PassThrough } from 'node:stream';
import type { SandboxHosts } from '../../../../src/daemon/providers/sandbox/joined-sandboxes.js';
import type { RemoteClient } from '../../../../src/daemon/remote/remote-client.js';
import { MemoryStore } from '../../../../src/daemon/sessions/store/memory-store.js';
import { FakeHost, harness } from './sandbox-harness.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(new Date('2030-05-01T10:00:00.000Z'));
});
afterEach(() => vi.useRealTimers());

const fast = { idle_after_s: 60, deep_sleep_after_s: 120 };

describe('sandbox sessions: states and deadlines', () => {
  it('creating → active: the view has the seed fields, the default TTL, the plan limits and the isolation', async () => {
    const h = harness();
    const s = await h.create({ metadata: { user: 'u1' } });
    expect(h.view(s)).toMatchObject({
      kind: 'sandbox',
      state: 'active',
      created_at: '2030-05-01T10:00:00.000Z',
      expires_at: '2030-05-02T10:00:00.000Z',
      ttl_s: 86_400,
      metadata: { user: 'u1' },
      last_activity_at: '2030-05-01T10:00:00.000Z',
      limits: { memory_mb: 1024, cpu: 0.25, disk_mb: 1024, exec_timeout_s: 30, max_exec_timeout_s: 300, max_file_bytes: 50_000_000, enforced: { disk_mb: 'ext4' } },
      isolation: { level: 'namespaces', runtime: { name: 'bun' } },
    });
    expect(h.view(s).url).toMatch(new RegExp(`^http://${s.id}\\.localhost:9/\\?fbay_token=[A-Za-z0-9_-]{32}$`));
  });

  it('goes idle (frozen) after idle_after_s without activity, then to deep sleep, each to the millisecond', async () => {
    const h = harness({ sandbox: fast });
    const s = await h.create();
    await vi.advanceTimersByTimeAsync(59_999);
    expect(s.state).toBe('active');
    await vi.advanceTimersByTimeAsync(1);
    expect(s.state).toBe('idle');
    expect(h.box(s.id).calls).toEqual(['freeze']);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(s.state).toBe('idle');
    await vi.advanceTimersByTimeAsync(1);
    expect(s.state).toBe('deep_sleep');
    expect(h.box(s.id).calls).toEqual(['freeze', 'sleep']);
  });

  it('activity moves the deadlines: a request 50 s in makes idle come 60 s after it', async () => {
    const h = harness({ sandbox: fast });
    const s = await h.create();
    await vi.advanceTimersByTimeAsync(50_000);
    await h.sessions.use('local', s.id);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(s.state).toBe('active');
    await vi.advanceTimersByTimeAsync(1);
    expect(s.state).toBe('idle');
  });

  it('a request on an idle sandbox thaws it straight to active; on a deep-sleeping one it passes through waking', async () => {
    const h = harness({ sandbox: fast });
    const s = await h.create();
    const states: string[] = [];
    h.core.on('event', (e) => e.type === 'state' && e.session.id === s.id && 'state' in e.session && states.push(e.session.state));
    await vi.advanceTimersByTimeAsync(60_000);
    const { box } = await h.sessions.use('local', s.id);
    expect(s.state).toBe('active');
    expect(h.box(s.id).calls).toEqual(['freeze', 'thaw']);
    expect(box).toBe(h.box(s.id));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(s.state).toBe('deep_sleep');
    await h.sessions.use('local', s.id);
    expect(s.state).toBe('active');
    expect(h.box(s.id).calls.at(-1)).toBe('start');
    expect(states.filter((x, i) => x !== states[i - 1])).toEqual(['idle', 'active', 'idle', 'deep_sleep', 'waking', 'active']);
  });

  it('while an exec holds it, it neither idles nor sleeps; after, the windows count from its end', async () => {
    const h = harness({ sandbox: fast });
    const s = await h.create();
    let finish!: () => void;
    const held = h.sessions.hold('local', s.id, () => new Promise<void>((resolve) => (finish = resolve)));
    await vi.advanceTimersByTimeAsync(300_000);
    expect(s.state).toBe('active');
    finish();
    await held;
    expect(s.busy).toBe(0);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(s.state).toBe('active');
    await vi.advanceTimersByTimeAsync(1);
    expect(s.state).toBe('idle');
  });

  it('expires at the TTL from any state: everything deleted, metadata too, and every request gets 410 with when', async () => {
    const h = harness({ sandbox: fast });
    const s = await h.create({ ttl: 600, metadata: { secret: 'x' } });
    await vi.advanceTimersByTimeAsync(599_999);
    expect(s.state).toBe('deep_sleep');
    await vi.advanceTimersByTimeAsync(1);
    expect(h.view(s)).toMatchObject({ state: 'expired', end_reason: 'expired', ended_at: '2030-05-01T10:10:00.000Z', metadata: {}, url: null });
    expect(h.host.destroyed).toEqual([s.id]);
    expect(() => h.sessions.find('local', s.id)).toThrow(expect.objectContaining({ status: 410, code: 'session_expired', extra: expect.objectContaining({ expired_at: '2030-05-01T10:10:00.000Z' }) }));
    await expect(h.sessions.use('local', s.id)).rejects.toMatchObject({ code: 'session_expired' });
  });

  it('DELETE ends it and deletes its files; a request on it afterwards says it ended', async () => {
    const h = harness();
    const s = await h.create();
    await h.core.end('local', s.id, 'sandbox');
    expect(s).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.host.destroyed).toEqual([s.id]);
    await expect(h.sessions.use('local', s.id)).rejects.toMatchObject({ code: 'session_conflict' });
  });
});

describe('sandbox sessions: the meter', () => {
  it('bills the active rate while active, the idle rate while idle, nothing in deep sleep', async () => {
    const h = harness({ sandbox: { ...fast, rate_active_per_min: 0.1, rate_idle_per_min: 0.025 } });
    const s = await h.create();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(s.state).toBe('deep_sleep');
    // 60 s active (0.1) + 60 s idle (0.025) + 480 s asleep (0)
    expect(h.view(s)).toMatchObject({ credits_used: 0.125, rate_credits_per_min: 0 });
    await h.sessions.use('local', s.id);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(h.view(s)).toMatchObject({ credits_used: 0.175, rate_credits_per_min: 0.1 });
  });

  it('ends every sandbox of an account whose credits run out, at the instant', async () => {
    const h = harness({ sandbox: { idle_after_s: 3600, deep_sleep_after_s: 7200, rate_active_per_min: 1, rate_idle_per_min: 0.25 } });
    await h.restored;
    await h.core.openAccount('alice', 'free', 2);
    const s = await h.create({}, 'alice');
    await vi.advanceTimersByTimeAsync(119_999);
    expect(s.state).toBe('active');
    await vi.advanceTimersByTimeAsync(1);
    expect(s).toMatchObject({ state: 'ended', end_reason: 'credits_exhausted' });
  });
});

describe('sandbox sessions: plans', () => {
  it('refuses a TTL of 0, a negative one, a fraction or one past the plan maximum, naming the plan', async () => {
    const h = harness();
    await h.restored;
    await h.core.openAccount('alice', 'free', 100);
    for (const ttl of [0, -5, 1.5, 86_401]) {
      await expect(h.create({ ttl }, 'alice')).rejects.toMatchObject({ status: 400, message: expect.stringContaining('free plan') });
    }
    expect((await h.create({ ttl: 604_800 })).ttl_s).toBe(604_800);
    await expect(h.create({ ttl: 604_801 })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('paid plan') });
  });

  it('allows limits overrides on Paid within its maxima, refuses them on Free (403) and past a maximum (400)', async () => {
    const h = harness();
    await h.restored;
    await h.core.openAccount('alice', 'free', 100);
    await expect(h.create({ limits: { memory_mb: 512 } }, 'alice')).rejects.toMatchObject({ status: 403, code: 'forbidden', message: expect.stringMatching(/^The free plan does not allow limits/) });
    const s = await h.create({ limits: { memory_mb: 2048, cpu: 1, disk_mb: 4096, exec_timeout_s: 120 } });
    expect(s.limits).toMatchObject({ memory_mb: 2048, cpu: 1, disk_mb: 4096, exec_timeout_s: 120 });
    await expect(h.create({ limits: { memory_mb: 8192 } })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('from 64 to 4096 (the most the paid plan allows)') });
  });

  it('counts creating, active and idle sandboxes toward the plan (429 naming it), not deep-sleeping ones; waking one past it is refused', async () => {
    const h = harness({ sandbox: fast });
    await h.restored;
    await h.core.openAccount('alice', 'free', 1000);
    const first = await h.create({}, 'alice');
    for (let i = 0; i < 9; i++) await h.create({}, 'alice');
    const refused = h.create({}, 'alice');
    await expect(refused).rejects.toMatchObject({ status: 429, code: 'concurrency_limit', message: expect.stringContaining('its plan (free) allows 10 at a time') });
    await expect(refused).rejects.toMatchObject({ headers: { 'retry-after': '120' } });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(first.state).toBe('deep_sleep');
    for (let i = 0; i < 10; i++) await h.create({}, 'alice');
    await expect(h.sessions.use('alice', first.id)).rejects.toMatchObject({ code: 'concurrency_limit' });
  });

  it('answers 503 isolation_unavailable when the host has no namespaces and config does not allow less', async () => {
    const host = new FakeHost();
    host.level = 'process';
    const h = harness({ host });
    await expect(h.create()).rejects.toMatchObject({ status: 503, code: 'isolation_unavailable', message: expect.stringContaining('user namespaces are disabled') });
    expect(h.core.list('local', { kind: 'sandbox', all: true })).toEqual([]);
    const allowed = harness({ host, sandbox: { isolation: 'process' } });
    expect((await allowed.create()).state).toBe('active');
  });

  it('a coordinator without namespaces places sandboxes on its joined hosts while they have room, then answers 503', async () => {
    const host = new FakeHost();
    host.level = 'process';
    let made = 0;
    const hosts: SandboxHosts = {
      offers: () => [{ host: 'lab1', sandboxes: 1 }],
      client: () => ({ json: async () => ({ status: 201, body: { id: `ses_onhost${++made}`, isolation: { level: 'namespaces' }, limits: { enforced: {} } } }) }) as unknown as RemoteClient,
      stream: () => new PassThrough(),
      tell: async () => undefined,
      expect: () => true,
    };
    const h = harness({ host, hosts });
    const first = await h.create();
    expect(first).toMatchObject({ state: 'active', joined_host: 'lab1', upstream_id: 'ses_onhost1' });
    // The host is full: it would run here, where it cannot be isolated — refused at the create, nothing recorded.
    await expect(h.create()).rejects.toMatchObject({ status: 503, code: 'isolation_unavailable' });
    expect(h.core.list('local', { kind: 'sandbox', all: true })).toHaveLength(1);
  });
});

describe('sandbox sessions: the daemon', () => {
  it('a stop of any kind keeps them; the next start has them in deep sleep with their files, or failed without', async () => {
    const store = new MemoryStore();
    const host = new FakeHost();
    const first = harness({ store, host, sandbox: fast });
    const kept = await first.create({ metadata: { a: '1' } });
    const gone = await first.create();
    await first.core.shutdown(false);
    expect(kept.state).toBe('active');
    host.boxes.clear();
    host.onDisk.delete(gone.id);
    host.onDisk.add('ses_leftover000000000000000');
    const second = harness({ store, host, sandbox: fast });
    await second.restored;
    await second.provider.ready();
    const back = second.core.find('local', kept.id);
    expect(back).toMatchObject({ state: 'deep_sleep', busy: 0, metadata: { a: '1' } });
    expect(second.core.find('local', gone.id)).toMatchObject({ state: 'failed', failure_reason: 'Its files were gone when the daemon started again.' });
    expect(host.destroyed).toContain('ses_leftover000000000000000');
    await second.sessions.use('local', kept.id);
    expect(back.state).toBe('active');
  });
});
