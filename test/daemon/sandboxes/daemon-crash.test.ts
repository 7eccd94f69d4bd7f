// A daemon killed with SIGKILL takes its sandboxes' processes with it (bwrap --die-with-parent), and the next
// daemon finds the sandboxes in deep sleep with their files.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SandboxHost } from '../../../src/daemon/sandboxes/sandbox-host.js';
import { systemClock } from '../../../src/shared/clock.js';
import { newId, requireSandboxHost } from './harness.js';

const CHILD = fileURLToPath(new URL('./host-child.mjs', import.meta.url));

/** Resolves when the cgroup holds no process any more (cgroup.events changes are inotify events on v2). */
function emptied(eventsFile: string): Promise<void> {
  return new Promise((resolve) => {
    const done = (): boolean => /^populated 0$/m.test(readFileSync(eventsFile, 'utf8'));
    if (done()) return resolve();
    const w = watch(eventsFile, () => done() && (w.close(), resolve()));
  });
}

/**
 * A process of the sandbox still running: not a zombie, and still in the sandbox's group. A dying process leaves
 * its v1 groups at exit while v2 still lists it until it is reaped (and this host's init reaps slowly), so with
 * a v1 memory hierarchy that is the line to read; and a busy host reuses pids, so the group must match.
 */
function running(pid: number, group: string): boolean {
  try {
    if (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] === 'Z') return false;
    const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
    const line = lines.find((l) => /^\d+:memory:/.test(l)) ?? lines.find((l) => l.startsWith('0::'));
    return line?.includes(group) ?? false;
  } catch {
    return false;
  }
}

describe('a daemon killed with SIGKILL', () => {
  it('leaves no sandbox process running, and the next one restores the sandbox from its files', async () => {
    requireSandboxHost();
    if (!existsSync(fileURLToPath(new URL('../../../dist/daemon/sandboxes/sandbox-host.js', import.meta.url)))) {
      throw new Error('This test runs the built daemon code: run `npm run build` first (npm test does).');
    }
    const stateDir = mkdtempSync('/tmp/fbay-crash-');
    const id = newId();
    const child = spawn(process.execPath, [CHILD, stateDir, id], { stdio: ['ignore', 'pipe', 'inherit'] });
    const host = await SandboxHost.open({ stateDir, log: () => undefined, clock: systemClock });
    try {
      const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
      const { pids, path } = JSON.parse(line) as { pids: number[]; path: string };
      expect(pids.length).toBeGreaterThanOrEqual(4); // bwrap, the namespace's init, the agent, sleep
      const unified = host.probe.hierarchies.find((h) => h.controllers.has('kill'));
      if (!unified) throw new Error('This test needs the cgroup v2 hierarchy (cgroup.events) to see the sandbox empty.');
      const gone = emptied(join(unified.base, path, 'cgroup.events'));
      child.kill('SIGKILL');
      await gone;
      // Gone, or a zombie waiting for this machine's init to reap it (the killed daemon was its parent).
      for (const pid of pids) expect(running(pid, path), `pid ${pid}`).toBe(false);

      const { restored } = await host.restoreAll([{ id, limits: {} }]);
      const box = restored[0]!;
      expect(box.state).toBe('asleep');
      await box.wake();
      expect((await box.exec({ command: 'cat crash.txt' })).stdout).toBe('before the crash\n');
      expect(box.processes().map((p) => [p.command, p.state])).toEqual([['exec sleep 1000', 'running']]);
    } finally {
      child.kill('SIGKILL');
      await host.restoreAll([{ id, limits: {} }]); // unmounts what the killed daemon left mounted
      await host.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
