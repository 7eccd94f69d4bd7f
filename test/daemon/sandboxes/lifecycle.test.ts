// Background processes, freeze and thaw, deep sleep and wake, a killed agent, a daemon restart, and destroy,
// on real sandboxes.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxHost } from '../../../src/daemon/sandboxes/sandbox-host.js';
import type { Sandbox } from '../../../src/daemon/sandboxes/sandbox.js';
import { isMountPoint } from '../../../src/daemon/sandboxes/workspace-disk.js';
import { systemClock } from '../../../src/shared/clock.js';
import { newId, openHost, processNames, type Harness } from './harness.js';

const TICKER = 'let i = 0; setInterval(() => console.log(i++), 2)';
let h: Harness;
let box: Sandbox;
beforeAll(async () => {
  h = await openHost();
  box = await h.host.create(newId());
});
afterAll(async () => h?.close());

/** Resolves once the process has printed more than `bytes` bytes of output in all. */
function outputPast(b: Sandbox, pid: number, bytes: number): Promise<void> {
  return new Promise((resolve) => {
    if (b.output(pid, 0).next > bytes) return resolve();
    const stop = b.watch(pid, () => {
      if (b.output(pid, 0).next > bytes) (stop(), resolve());
    });
  });
}

/** Time passing on the host, shown by a reference process that ticks 40 times and exits: an event to wait on. */
async function hostTicks(): Promise<void> {
  await promisify(execFile)(process.execPath, ['-e', 'let n = 0; const t = setInterval(() => { if (++n === 40) clearInterval(t); }, 5)']);
}

describe('background processes', () => {
  it('outlive the call, keep output with offsets for a reader who comes back, and can be killed', async () => {
    const p = await box.startBackground({ code: TICKER });
    expect(p).toMatchObject({ state: 'running', restart: 'never', language: 'ts' });
    await outputPast(box, p.pid, 20);
    const first = box.output(p.pid, 0);
    expect(first.data.toString()).toMatch(/^0\n1\n2\n/);
    await outputPast(box, p.pid, first.next + 10);
    const more = box.output(p.pid, first.next);
    expect(Buffer.concat([first.data, more.data]).toString()).toBe(box.output(p.pid, 0).data.subarray(0, first.next + more.data.length).toString());
    expect((await box.exec({ command: `kill -0 ${p.pid} && echo visible` })).stdout).toBe('visible\n');
    expect(box.processes().map((x) => x.pid)).toContain(p.pid);
    const killed = await box.kill(p.pid);
    expect(killed).toMatchObject({ state: 'exited', signal: 'SIGKILL' });
    expect(box.output(p.pid, 0).ended).toBe(true);
  });
});

describe('freeze and thaw', () => {
  it('stops every process where it is (its counter does not advance), and thaws in milliseconds', async () => {
    const p = await box.startBackground({ code: TICKER });
    await outputPast(box, p.pid, 10);
    await box.freeze();
    expect(box.state).toBe('frozen');
    const at = box.output(p.pid, 0).next;
    await hostTicks();
    expect(box.output(p.pid, 0).next).toBe(at);
    await expect(box.exec({ command: 'true' })).rejects.toMatchObject({ code: 'session_conflict' });
    await expect(box.connect(3000)).rejects.toMatchObject({ code: 'session_conflict' });
    const t = performance.now();
    await box.thaw();
    expect(performance.now() - t).toBeLessThan(100);
    await outputPast(box, p.pid, at);
    await box.kill(p.pid);
  });
});

describe('deep sleep and wake', () => {
  it('ends the processes, keeps the files, and wakes with on_wake processes started again', async () => {
    await box.exec({ command: 'echo kept > kept.txt' });
    const again = await box.startBackground({ command: 'echo started at $(date +%s%N); exec sleep 1000', restart: 'on_wake' });
    const once_ = await box.startBackground({ command: 'exec sleep 1000' });
    await box.sleep();
    expect(box.state).toBe('asleep');
    expect(isMountPoint(box.disk.mountPoint)).toBe(false);
    expect(box.cgroup!.pids()).toEqual([]);
    expect(box.processes().every((x) => x.state === 'exited')).toBe(true);
    await expect(box.exec({ command: 'true' })).rejects.toMatchObject({ code: 'session_conflict' });
    // Asleep, the disk is unmounted: the files API does not write into the empty mount point beneath it.
    expect(() => box.files.write('lost.txt', Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'session_conflict' }));
    await box.wake();
    expect(box.state).toBe('running');
    expect((await box.exec({ command: 'cat kept.txt' })).stdout).toBe('kept\n');
    const running = box.processes().filter((x) => x.state === 'running');
    expect(running).toHaveLength(1);
    expect(running[0]!.command).toBe(again.command);
    expect(running[0]!.pid).not.toBe(once_.pid);
    await box.kill(running[0]!.pid);
  });
});

describe('a killed agent', () => {
  it('is noticed and reported; the next request starts the runtime again with the files as they were', async () => {
    const lost = once(h.host, 'runtime_lost');
    const r = await box.exec({ command: 'echo doomed > doomed.txt; kill -9 $(pgrep -u 1000 -f /opt/fbay/agent); sleep 5' });
    expect(r.signal).toBe('SIGKILL');
    const [event] = await lost;
    expect(event).toMatchObject({ id: box.id, reason: expect.stringContaining('runtime') });
    expect((await box.exec({ command: 'cat doomed.txt' })).stdout).toBe('doomed\n');
  });
});

describe('a daemon restart', () => {
  it('brings every sandbox with files back in deep sleep, and reports the rest', async () => {
    const stateDir = h.stateDir;
    await box.exec({ command: 'echo survives > restart.txt' });
    await box.startBackground({ code: 'Bun.serve({ port: 3000, fetch: () => new Response("up") })', restart: 'on_wake' });
    await h.host.close();
    const host = await SandboxHost.open({ stateDir, log: () => undefined, clock: systemClock });
    try {
      const { restored, missing, orphans } = await host.restoreAll([{ id: box.id, limits: {} }, { id: 'ses_gone', limits: {} }]);
      expect(restored.map((b) => b.id)).toEqual([box.id]);
      expect(missing).toEqual(['ses_gone']);
      expect(orphans).toEqual([]);
      const back = restored[0]!;
      expect(back.state).toBe('asleep');
      await back.wake();
      expect((await back.exec({ command: 'cat restart.txt' })).stdout).toBe('survives\n');
      // The on_wake server is back (the on_wake process killed earlier is not: a kill is for good).
      expect(back.processes().filter((p) => p.state === 'running').map((p) => p.command)).toEqual(['Bun.serve({ port: 3000, fetch: () => new Response("up") })']);
      await back.destroy();
      expect(existsSync(back.dir)).toBe(false);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(back.id);
      await expect(back.exec({ command: 'true' })).rejects.toMatchObject({ code: 'session_expired' });
      expect(existsSync(join(stateDir, 'sandboxes', back.id))).toBe(false);
    } finally {
      await host.close();
    }
  });
});

describe('wake', () => {
  it('starts one runtime for requests that arrive together', async () => {
    const h2 = await openHost();
    try {
      const b = await h2.host.create(newId());
      await b.sleep();
      await Promise.all([b.wake(), b.wake(), b.wake()]);
      // One runtime: one bwrap and its namespace's init (a second runtime would add two more).
      expect(processNames(b).filter((n) => n === 'bwrap')).toHaveLength(2);
      expect((await b.exec({ command: 'echo one' })).stdout).toBe('one\n');
    } finally {
      await h2.close();
    }
  });
});
