import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonStatus, isGone, restartDaemon, startDaemon, stopDaemon } from '../../../src/cli/services/daemon-control.js';
import { UserError } from '../../../src/shared/user-error.js';
import { FAKE_DAEMON_ENTRY, fakeHome, type FakeHome } from '../helpers/fake-daemon-process.js';

let h: FakeHome;
afterEach(() => h.cleanup());

const ctxOf = (home: FakeHome) => ({ env: home.env, signal: new AbortController().signal, daemonEntry: FAKE_DAEMON_ENTRY });

describe('daemon control', () => {
  it('reports a daemon that is not running with exit 3, and does not start one', async () => {
    h = fakeHome();
    const err = await daemonStatus(ctxOf(h)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exit).toBe(3);
    expect((err as UserError).next).toContain('fbay daemon start');
    expect(await stopDaemon(ctxOf(h), false)).toEqual({ stopped: false, pid: null });
    expect(h.spawned()).toEqual([]);
  });

  it('starts, shows, stops (waiting until the process is gone) and restarts', async () => {
    h = fakeHome();
    const ctx = ctxOf(h);
    const { health, started } = await startDaemon(ctx);
    expect(started).toBe(true);
    expect((await daemonStatus(ctx)).pid).toBe(health.pid);
    expect((await startDaemon(ctx)).started).toBe(false);

    const restarted = await restartDaemon(ctx);
    expect(restarted.previousPid).toBe(health.pid);
    // Gone: exited, or a zombie its parent (this test process) has not reaped yet.
    expect(isGone(health.pid)).toBe(true);
    expect(restarted.running.health.pid).not.toBe(health.pid);

    const stopped = await stopDaemon(ctx, false);
    expect(stopped).toEqual({ stopped: true, pid: restarted.running.health.pid });
    expect(isGone(restarted.running.health.pid)).toBe(true);
    expect(h.spawned()).toHaveLength(2);
    // restart keeps live sessions for the next daemon; stop ends them.
    expect(readFileSync(join(h.home, 'stop-requests'), 'utf8')).toBe('{"keep_sessions":true}\n{"keep_sessions":false}\n');
  });
});
