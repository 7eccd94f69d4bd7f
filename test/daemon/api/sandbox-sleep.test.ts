// Sandboxes sleeping, waking and expiring on a real daemon with its timers shortened through config: idle freezes
// (a counter stops), a request wakes; deep sleep ends the processes and keeps the files, an on_wake process comes
// back; the TTL deletes everything (410 after); a daemon restart keeps them, in deep sleep.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, makeHome, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';
import { requireSandboxHost } from '../sandboxes/harness.js';
import { call, reachState, type Target } from './sandbox-helpers.js';

let h: TestHome;
let d: DaemonProcess;
let t: Target;

async function configure(sandbox: Record<string, unknown>): Promise<void> {
  h.writeConfig({ sandbox });
  expect((await api(h.socket, 'POST', '/v1/config/reload', { changed: ['sandbox'] })).status).toBe(204);
}

beforeAll(async () => {
  requireSandboxHost();
  h = makeHome();
  d = await spawnDaemon(h.home);
  t = { socket: h.socket };
});
afterAll(async () => {
  await stopDaemon(d);
  h?.cleanup();
});

const exec = (id: string, body: Record<string, unknown>) => call(t, 'POST', `/v1/sessions/${id}/exec`, body);
const workspace = (id: string) => join(h.home, 'state', 'sandboxes', id, 'workspace');
/** Time passing on the host, shown by a process that ticks 40 times: an event to wait on. */
const hostTicks = () => promisify(execFile)(process.execPath, ['-e', 'let n = 0; const t = setInterval(() => { if (++n === 40) clearInterval(t); }, 5)']);
/** The sandbox's processes as the host sees them (its own host uid, from isolation). */
async function hostProcesses(s: any): Promise<string> {
  const uid = /host uid (\d+)/.exec(s.isolation.mechanisms.join(' '))![1]!;
  return (await promisify(execFile)('ps', ['-u', uid, '-o', 'comm=']).catch(() => ({ stdout: '' }))).stdout.trim();
}

describe('idle', () => {
  it('freezes every process (a counter stops) after idle_after_s; a request thaws it in well under 100 ms', async () => {
    await configure({ idle_after_s: 1, deep_sleep_after_s: 3600 });
    const s = (await call(t, 'POST', '/v1/sessions', {})).body;
    const counter = "let i = 0; setInterval(() => require('fs').writeFileSync('/workspace/count', String(i++)), 5)";
    await reachState(h.socket, s.id, 'idle', () => exec(s.id, { code: counter, background: true }));
    // The record says idle first and the freezer follows within milliseconds: wait for the count to stand still over
    // one spell of host time, then check that it still does over another.
    const count = () => readFileSync(join(workspace(s.id), 'count'), 'utf8');
    let frozen = count();
    await expect
      .poll(async () => {
        const before = count();
        await hostTicks();
        frozen = count();
        return frozen === before;
      })
      .toBe(true);
    await hostTicks();
    expect(count()).toBe(frozen);
    expect((await call(t, 'GET', `/v1/sessions/${s.id}`)).body.state).toBe('idle');
    const t0 = performance.now();
    const r = await exec(s.id, { command: 'cat count' });
    const woke = performance.now() - t0;
    expect(Number(r.body.stdout)).toBeGreaterThanOrEqual(Number(frozen));
    expect((await call(t, 'GET', `/v1/sessions/${s.id}`)).body.state).toBe('active');
    expect(woke).toBeLessThan(1000);
    await expect.poll(() => Number(count())).toBeGreaterThan(Number(r.body.stdout));
    await call(t, 'DELETE', `/v1/sessions/${s.id}`);
  });
});

describe('deep sleep', () => {
  it('ends the processes and keeps the files; a request wakes it within 3 s with its on_wake process back', async () => {
    await configure({ idle_after_s: 1, deep_sleep_after_s: 2 });
    const s = (await call(t, 'POST', '/v1/sessions', {})).body;
    await exec(s.id, { command: 'echo kept > kept.txt' });
    const server = (await exec(s.id, { code: 'Bun.serve({ port: 3000, fetch: () => new Response("back") }); console.log("up")', background: true, restart: 'on_wake' })).body;
    const once = (await exec(s.id, { command: 'exec sleep 1000', background: true })).body;
    await expect.poll(() => hostProcesses(s)).toMatch(/sleep/);
    await reachState(h.socket, s.id, 'deep_sleep');
    // The record says deep_sleep first; the processes end and the disk is unmounted just after (a wake waits for it).
    await expect.poll(() => hostProcesses(s)).toBe('');
    // Its disk is unmounted while it sleeps: the files are in the image, not at the mount point.
    await expect.poll(() => existsSync(join(workspace(s.id), 'kept.txt'))).toBe(false);
    const t0 = performance.now();
    const r = await exec(s.id, { command: 'cat kept.txt' });
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(r.body.stdout).toBe('kept\n');
    const procs = (await call(t, 'GET', `/v1/sessions/${s.id}/processes`)).body.processes;
    expect(procs.find((p: any) => p.pid === once.pid)).toMatchObject({ state: 'exited' });
    const again = procs.filter((p: any) => p.state === 'running');
    expect(again).toEqual([expect.objectContaining({ command: server.command, restart: 'on_wake' })]);
    expect(again[0].pid).not.toBe(server.pid);
    await call(t, 'DELETE', `/v1/sessions/${s.id}`);
  });
});

describe('expiry', () => {
  it('at the TTL everything is deleted: its directory is gone, and every request gets 410 with when it expired', async () => {
    await configure({});
    const s = (await call(t, 'POST', '/v1/sessions', { ttl: 2, metadata: { k: 'v' } })).body;
    await exec(s.id, { command: 'echo x > x.txt' });
    expect(existsSync(join(h.home, 'state', 'sandboxes', s.id))).toBe(true);
    await reachState(h.socket, s.id, 'expired');
    // Removed once the session is expired (unmounting its disk first): under load that takes more than a second.
    await expect.poll(() => existsSync(join(h.home, 'state', 'sandboxes', s.id)), { timeout: 10_000 }).toBe(false);
    for (const [method, path] of [
      ['GET', `/v1/sessions/${s.id}`],
      ['POST', `/v1/sessions/${s.id}/exec`],
      ['GET', `/v1/sessions/${s.id}/files/x.txt`],
      ['DELETE', `/v1/sessions/${s.id}`],
    ] as const) {
      const r = await call(t, method, path, method === 'POST' ? { command: 'true' } : undefined);
      expect(r.status).toBe(410);
      expect(r.body).toMatchObject({ code: 'session_expired', session_id: s.id, expired_at: s.expires_at });
    }
    const all = (await call(t, 'GET', '/v1/sessions?kind=sandbox&all=1')).body.sessions;
    expect(all.find((x: any) => x.id === s.id)).toMatchObject({ state: 'expired', metadata: {}, url: null });
  });
});

describe('a daemon restart', () => {
  it('keeps live sandboxes (in deep sleep, files kept); the first request brings back their on_wake processes', async () => {
    await configure({});
    const s = (await call(t, 'POST', '/v1/sessions', { metadata: { keep: 'me' } })).body;
    await exec(s.id, { command: 'echo survives > r.txt' });
    await exec(s.id, { command: 'exec sleep 1000', background: true, restart: 'on_wake' });
    await stopDaemon(d);
    d = await spawnDaemon(h.home);
    const back = (await call(t, 'GET', `/v1/sessions/${s.id}`)).body;
    expect(back).toMatchObject({ state: 'deep_sleep', metadata: { keep: 'me' } });
    expect((await exec(s.id, { command: 'cat r.txt' })).body.stdout).toBe('survives\n');
    const procs = (await call(t, 'GET', `/v1/sessions/${s.id}/processes`)).body.processes;
    expect(procs.filter((p: any) => p.state === 'running').map((p: any) => p.command)).toEqual(['exec sleep 1000']);
    await call(t, 'DELETE', `/v1/sessions/${s.id}`);
  });
});
