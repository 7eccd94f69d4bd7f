// Browser faults with a real daemon: no Chromium installed, and the daemon killed with live browsers (no orphans).
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { api, makeHome, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function daemon(env: Record<string, string> = {}, home = makeHome()): Promise<{ h: TestHome; d: DaemonProcess }> {
  const d = await spawnDaemon(home.home, env);
  cleanups.push(() => stopDaemon(d));
  return { h: home, d };
}

/** Pids of processes whose command line names a profile under this home's browser run dir. */
function browserPids(home: string): number[] {
  const marker = `--user-data-dir=${join(home, 'state/browsers/run')}/`;
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        return readFileSync(`/proc/${n}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Resolves when `pid` (not our child) has exited: `tail --pid` is the event. */
function exitOf(pid: number): Promise<unknown> {
  return once(spawn('tail', [`--pid=${pid}`, '-s', '0.05', '-f', '/dev/null'], { stdio: 'ignore' }), 'exit');
}

describe('browser faults', () => {
  it('with no Chromium installed, a create is refused with the install command and nothing is left behind', async () => {
    const home = makeHome();
    cleanups.push(() => home.cleanup());
    const { h } = await daemon({ PATH: join(home.home, 'no-such-bin') }, home);
    const r = await api(h.socket, 'POST', '/v1/browsers', {});
    expect(r.status).toBe(502);
    expect(r.body).toMatchObject({ code: 'upstream_unavailable', next: expect.stringContaining('apt-get install -y --no-install-recommends chromium') });
    expect(r.body.error).toMatch(/No Chromium or Chrome found/);
    expect((await api(h.socket, 'GET', '/v1/browsers?all=1')).body.browsers).toEqual([]);
  });

  it('a daemon killed with SIGKILL takes its browsers with it; the next daemon marks the sessions failed and finds no orphan', async () => {
    const home = makeHome();
    cleanups.push(() => home.cleanup());
    home.writeConfig({ tiers: { local: { browser_plan: 'pro' } } });
    const first = await spawnDaemon(home.home);
    const sessions = await Promise.all([1, 2].map(() => api(home.socket, 'POST', '/v1/browsers', {})));
    expect(sessions.map((s) => s.body.status)).toEqual(['ready', 'ready']);
    const pids = browserPids(home.home);
    expect(pids.length).toBeGreaterThanOrEqual(2);

    first.child.kill('SIGKILL');
    await first.exited;
    // Nobody reaps them: the closed pipe alone makes every browser exit.
    await Promise.all(pids.map(exitOf));

    const { h } = await daemon({}, home);
    const list = (await api(h.socket, 'GET', '/v1/browsers?all=1')).body.browsers;
    expect(list.map((s: { status: string }) => s.status)).toEqual(['failed', 'failed']);
    expect(list[0].error).toMatch(/daemon stopped/);
    // The new daemon's own warm browser aside, nothing of the old one's is left.
    expect(browserPids(home.home).filter((pid) => !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('/run/warm-'))).toEqual([]);
    const left = existsSync(join(home.home, 'state/browsers/run')) ? readdirSync(join(home.home, 'state/browsers/run')) : [];
    expect(left.filter((n) => !n.startsWith('warm-'))).toEqual([]);
  });
});
