// The freezer fallback for hosts without one: SIGSTOP to every process of the sandbox, here a process tree in
// the daemon's own pid namespace (the `process` level), where it must not touch anything outside the tree.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { until } from '../../../src/daemon/sandboxes/cgroup-files.js';
import { stopBySignal } from '../../../src/daemon/sandboxes/signal-freeze.js';
import { systemClock } from '../../../src/shared/clock.js';

const state = (pid: number): string => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0]!;

describe('stopBySignal', () => {
  it('stops and continues a whole tree, and nothing outside it', async () => {
    const root = spawn('/bin/sh', ['-c', 'sleep 1000 & sh -c "sleep 1000" & echo ready; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const bystander = spawn('/bin/sh', ['-c', 'echo ready; exec sleep 1000'], { stdio: ['ignore', 'pipe', 'ignore'] });
    await Promise.all([once(root.stdout!, 'data'), once(bystander.stdout!, 'data')]);
    const tree = (): number[] =>
      readFileSync(`/proc/${root.pid}/task/${root.pid}/children`, 'utf8').trim().split(/\s+/).map(Number).concat(root.pid!);
    const all = tree();
    try {
      expect(stopBySignal(root.pid!, 'SIGSTOP')).toBe(true);
      expect(await until(() => tree().every((p) => state(p) === 'T'), systemClock, 2000)).toBe(true);
      expect(state(bystander.pid!)).not.toBe('T');
      stopBySignal(root.pid!, 'SIGCONT');
      expect(await until(() => tree().every((p) => state(p) !== 'T'), systemClock, 2000)).toBe(true);
    } finally {
      for (const pid of [...all, bystander.pid!]) process.kill(pid, 'SIGKILL');
    }
  });
});
