import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lstatSync, readFileSync } from 'node:fs';
import { VERSION } from '../../src/shared/version.js';
import type { Health } from '../../src/transport/protocol/api.js';
import { startFakeDaemon } from '../cli/helpers/fake-daemon.js';
import { assertBuilt, FBAY, Home } from './helpers.js';
import { execa } from 'execa';

beforeAll(assertBuilt);
let homes: Home[] = [];
const fresh = () => {
  const h = new Home();
  homes.push(h);
  return h;
};
afterEach(async () => {
  await Promise.all(homes.map((h) => h.cleanup()));
  homes = [];
});

describe('finding and starting the daemon', () => {
  it('starts exactly one daemon when five CLIs race on a fresh FBAY_HOME', async () => {
    const home = fresh();
    const results = await Promise.all(Array.from({ length: 5 }, () => home.fbay('--json', 'session', 'list')));
    for (const r of results) expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    const health = await home.json<Health>('daemon', 'status');
    expect(home.daemonPids()).toEqual([health.pid]);
  });

  it('cleans up a stale socket left by a daemon that died, and starts a new one', async () => {
    const home = fresh();
    const old = await home.json<Health>('daemon', 'start');
    process.kill(old.pid, 'SIGKILL');
    await waitFor(() => home.daemonPids().length === 0);
    expect(lstatSync(`${home.dir}/fbayd.sock`).isSocket()).toBe(true);
    const r = await home.fbay('--json', 'session', 'list');
    expect(r.exitCode).toBe(0);
    const now = await home.json<Health>('daemon', 'status');
    expect(now.pid).not.toBe(old.pid);
    expect(home.daemonPids()).toEqual([now.pid]);
  });

  it('refuses a socket path over the OS limit with a clear message', async () => {
    const long = `/tmp/fbay-${'x'.repeat(110)}`;
    const r = await execa(process.execPath, [FBAY, 'session', 'list'], { reject: false, env: { FBAY_HOME: long } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('over the OS limit');
    expect(r.stderr).toContain('hint: Set FBAY_HOME');
  });

  it('says which versions differ, and daemon status still shows the daemon', async () => {
    const home = fresh();
    const old = await startFakeDaemon({ version: '0.0.1', home: home.dir });
    try {
      const r = await home.fbay('session', 'list');
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(`error: fbay CLI ${VERSION} is talking to daemon 0.0.1.`);
      expect(r.stderr).toContain('hint: Run `fbay daemon restart`');
      const status = await home.fbay('daemon', 'status');
      expect(status.exitCode).toBe(0);
      expect(status.stdout).toContain(`0.0.1 (this CLI is ${VERSION}`);
    } finally {
      await old.close();
    }
  });

  it('writes the daemon log to fbayd.log and shows it with daemon logs', async () => {
    const home = fresh();
    const { pid } = await home.json<Health>('daemon', 'start');
    expect(readFileSync(`${home.dir}/fbayd.log`, 'utf8')).toContain(String(pid));
    const logs = await home.fbay('daemon', 'logs', '-n', '5');
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toContain(String(pid));
  });

  it('follows the log until Ctrl-C, then exits 130', async () => {
    const home = fresh();
    await home.json('daemon', 'start');
    const follow = home.start('daemon', 'logs', '-f', '-n', '1');
    await new Promise<void>((resolve) => follow.stdout!.once('data', () => resolve()));
    follow.kill('SIGINT');
    expect((await follow).exitCode).toBe(130);
  });
});

/** Polls a condition about processes we do not parent (no event tells when they are reaped). */
async function waitFor(condition: () => boolean): Promise<void> {
  const { setTimeout: delay } = await import('node:timers/promises');
  for (let i = 0; i < 500 && !condition(); i++) await delay(10);
  expect(condition()).toBe(true);
}
