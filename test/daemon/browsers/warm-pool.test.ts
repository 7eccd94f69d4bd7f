// The warm pool's bookkeeping with stand-in browsers: take and replace, resize, deaths while waiting, failures, close.
import { describe, expect, it } from 'vitest';
import type { StartedBrowser } from '../../../src/daemon/browsers/local-browser.js';
import { WarmPool } from '../../../src/daemon/browsers/warm-pool.js';
import { ManualClock } from './manual-clock.js';

interface Fake {
  browser: StartedBrowser;
  die(): void;
  stopped: boolean;
}

function harness(options: { fail?: () => boolean } = {}) {
  const clock = new ManualClock();
  const started: Fake[] = [];
  const pending: { resolve(): void; reject(err: Error): void }[] = [];
  let pid = 100;
  const logs: string[] = [];
  const pool = new WarmPool({
    clock,
    log: (m) => logs.push(m),
    executable: () => '/usr/bin/chromium',
    start: () =>
      new Promise<StartedBrowser>((resolve, reject) => {
        const fake = {} as Fake;
        let exit!: () => void;
        const exited = new Promise<void>((r) => (exit = r));
        fake.stopped = false;
        fake.die = exit;
        fake.browser = { proc: { pid: ++pid, exited }, connection: { closed: false }, executable: '/usr/bin/chromium' } as unknown as StartedBrowser;
        pending.push({
          resolve: () => {
            started.push(fake);
            resolve(fake.browser);
          },
          reject,
        });
      }),
    stop: async (b) => {
      started.find((f) => f.browser === b)!.stopped = true;
    },
  });
  /** Lets every launch under way finish (or fail, when `fail` says so). */
  const launchAll = async () => {
    while (pending.length > 0) {
      const p = pending.shift()!;
      if (options.fail?.()) p.reject(new Error('no chromium today'));
      else p.resolve();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { clock, pool, started, pending, launchAll, logs };
}

describe('WarmPool', () => {
  it('hands a ready browser out at once, exactly once, and starts its replacement', async () => {
    const t = harness();
    void t.pool.resize(1);
    expect(t.pool.take()).toBeNull(); // still starting: the session starts cold
    expect(t.pending).toHaveLength(1); // …and no second launch for it
    await t.launchAll();
    await t.pool.filled();
    const first = t.pool.take();
    expect(first).toBe(t.started[0]!.browser);
    expect(t.pool.count).toBe(0);
    expect(t.pending).toHaveLength(0); // the session is set up first…
    t.pool.replenish();
    expect(t.pending).toHaveLength(1); // …then its replacement starts
    await t.launchAll();
    expect(t.pool.take()).toBe(t.started[1]!.browser);
    t.pool.replenish();
    expect(t.started[0]!.stopped).toBe(false); // the session's now, not the pool's
  });

  it('grows and shrinks with resize, stopping the ones above the size', async () => {
    const t = harness();
    void t.pool.resize(3);
    await t.launchAll();
    await t.pool.filled();
    expect(t.pool.count).toBe(3);
    await t.pool.resize(1);
    expect(t.pool.count).toBe(1);
    expect(t.started.filter((f) => f.stopped)).toHaveLength(2);
    await t.pool.resize(0);
    expect(t.started.every((f) => f.stopped)).toBe(true);
  });

  it('replaces a browser that died while waiting, and discards one whose pipe closed', async () => {
    const t = harness();
    void t.pool.resize(1);
    await t.launchAll();
    t.started[0]!.die();
    await new Promise((r) => setImmediate(r));
    expect(t.pool.count).toBe(0);
    expect(t.logs.join('\n')).toMatch(/warm browser 101 exited while waiting/);
    await t.launchAll();
    expect(t.pool.count).toBe(1);
    (t.started[1]!.browser.connection as { closed: boolean }).closed = true;
    expect(t.pool.take()).toBeNull();
    await new Promise((r) => setImmediate(r));
    expect(t.started[1]!.stopped).toBe(true);
  });

  it('backs off when launches fail, then fills again', async () => {
    let failing = true;
    const t = harness({ fail: () => failing });
    void t.pool.resize(1);
    await t.launchAll();
    expect(t.logs.at(-1)).toBe('warm browser did not start (no chromium today); trying again in 1 s');
    expect(t.pending).toHaveLength(0);
    t.clock.advance(1000);
    await t.launchAll();
    expect(t.logs.at(-1)).toMatch(/trying again in 5 s/);
    failing = false;
    t.clock.advance(4999);
    expect(t.pending).toHaveLength(0);
    t.clock.advance(1);
    await t.launchAll();
    expect(t.pool.count).toBe(1);
  });

  it('close stops what waits and what was still starting', async () => {
    const t = harness();
    void t.pool.resize(2);
    const first = t.pending.shift()!;
    first.resolve();
    const closing = t.pool.close();
    await t.launchAll();
    await closing;
    expect(t.started).toHaveLength(2);
    expect(t.started.every((f) => f.stopped)).toBe(true);
    expect(t.pool.take()).toBeNull();
  });
});
