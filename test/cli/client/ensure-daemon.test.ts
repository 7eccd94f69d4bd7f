import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, lstatSync, writeFileSync } from 'node:fs';
import { ensureDaemon, probeDaemon } from '../../../src/cli/client/ensure-daemon.js';
import { UserError } from '../../../src/shared/user-error.js';
import { FAKE_DAEMON_ENTRY, fakeHome, type FakeHome } from '../helpers/fake-daemon-process.js';

let homes: FakeHome[] = [];
function home(mode?: 'ok' | 'fail' | 'hang'): FakeHome {
  const h = fakeHome(mode);
  homes.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(homes.map((h) => h.cleanup()));
  homes = [];
});

const ensure = (h: FakeHome, timeoutMs?: number) =>
  ensureDaemon({ paths: h.paths, env: h.env, daemonEntry: FAKE_DAEMON_ENTRY, ...(timeoutMs ? { timeoutMs } : {}) });

async function failure(p: Promise<unknown>): Promise<UserError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

describe('ensureDaemon', () => {
  it('starts the daemon when nothing answers, and finds it the next time', async () => {
    const h = home();
    expect(await probeDaemon(h.paths.socket)).toBeNull();
    const first = await ensure(h);
    expect(first.started).toBe(true);
    expect(h.spawned()).toEqual([first.health.pid]);
    expect(lstatSync(h.paths.runtimeDir).mode & 0o777).toBe(0o700);
    const again = await ensure(h);
    expect(again).toMatchObject({ started: false, health: { pid: first.health.pid } });
    expect(existsSync(h.paths.lockFile)).toBe(false);
  });

  it('starts exactly one daemon when five callers race', async () => {
    const h = home();
    const results = await Promise.all(Array.from({ length: 5 }, () => ensure(h)));
    expect(h.spawned()).toHaveLength(1);
    expect(new Set(results.map((r) => r.health.pid)).size).toBe(1);
    expect(results.filter((r) => r.started)).toHaveLength(1);
  });

  it('removes a stale socket file left by a daemon that died, and starts a new one', async () => {
    const h = home();
    const child = spawn(process.execPath, [FAKE_DAEMON_ENTRY], { env: h.env, stdio: ['ignore', 'pipe', 'ignore'] });
    await once(child.stdout!, 'data');
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(lstatSync(h.paths.socket).isSocket()).toBe(true);
    const running = await ensure(h);
    expect(running.started).toBe(true);
    expect(running.health.pid).not.toBe(child.pid);
  });

  it('takes over a start lock left by a dead CLI', async () => {
    const h = home();
    const { spawnSync } = await import('node:child_process');
    writeFileSync(h.paths.lockFile, `${spawnSync(process.execPath, ['-e', '0']).pid} dead\n`);
    expect((await ensure(h)).started).toBe(true);
  });

  it('fails with exit 3 and the log tail when the daemon exits before it is ready', async () => {
    const h = home('fail');
    const err = await failure(ensure(h));
    expect(err.exit).toBe(3);
    expect(err.message).toContain('exited (code 1) before it was ready');
    expect(err.message).toContain('fatal: the fake daemon refuses to start');
    expect(err.next).toContain('fbay daemon logs');
    expect(existsSync(h.paths.lockFile)).toBe(false);
  });

  it('times out with exit 3 and the log tail when the daemon never gets ready', async () => {
    const h = home('hang');
    const err = await failure(ensure(h, 1500));
    expect(err.exit).toBe(3);
    expect(err.message).toContain('did not become ready within');
    expect(err.message).toContain('starting slowly...');
  });

  it('waits for the holder of a live lock, then times out with exit 3 naming it', async () => {
    const h = home();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(h.paths.runtimeDir, { recursive: true });
    writeFileSync(h.paths.lockFile, `${process.ppid} busy\n`);
    const err = await failure(ensure(h, 300));
    expect(err.exit).toBe(3);
    expect(err.message).toContain(`pid ${process.ppid}`);
    expect(err.next).toContain(h.paths.lockFile);
    expect(h.spawned()).toEqual([]);
  });

  it('refuses a socket path over the OS limit before doing anything', async () => {
    const h = home();
    const long = `${h.home}/${'x'.repeat(120)}`;
    const err = await failure(
      ensureDaemon({ paths: { ...h.paths, socket: `${long}/fbayd.sock`, runtimeDir: long }, env: h.env, daemonEntry: FAKE_DAEMON_ENTRY }),
    );
    expect(err.code).toBe('socket_path_too_long');
    expect(err.next).toContain('FBAY_HOME');
    expect(existsSync(long)).toBe(false);
  });
});
