// The cgroup layer on its own, with real processes: limits, a leaf's kill (v2 cgroup.kill, and the v1
// freeze-then-SIGKILL path a host without cgroup.kill takes), and freezing through v2 or the v1 freezer.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTree } from '../../../src/daemon/sandboxes/cgroup-files.js';
import { discoverHierarchies, type Hierarchy } from '../../../src/daemon/sandboxes/cgroup-hierarchies.js';
import { SandboxCgroup } from '../../../src/daemon/sandboxes/sandbox-cgroup.js';
import { DEFAULT_LIMITS } from '../../../src/daemon/sandboxes/sandbox-host.js';
import { systemClock } from '../../../src/shared/clock.js';
import { newId, requireSandboxHost } from './harness.js';

const groups: SandboxCgroup[] = [];
afterEach(async () => {
  for (const g of groups.splice(0)) await g.destroy();
  for (const h of discoverHierarchies()) removeTree(join(h.base, 'fbay', 'test'));
});

function hierarchies(version: 1 | 2 | 'both'): Hierarchy[] {
  requireSandboxHost();
  const all = discoverHierarchies();
  const picked = version === 'both' ? all : all.filter((h) => h.version === version);
  if (!picked.some((h) => h.controllers.has(version === 1 ? 'freezer' : 'kill'))) throw new Error(`This test needs a cgroup v${version} hierarchy with ${version === 1 ? 'the freezer' : 'cgroup.kill'}.`);
  return picked;
}

/** A process tree that tries to escape: setsid, a double fork, and a parent that exits. Resolves with its pids. */
async function escapingTree(leafAdd: (pid: number) => Promise<boolean>): Promise<number[]> {
  const child = spawn('/bin/sh', ['-c', 'read -r _; setsid sh -c "sleep 1000 & sleep 1000 & wait" & (sleep 1000 &) ; echo $$; sleep 1000'], { stdio: ['pipe', 'pipe', 'ignore'] });
  await leafAdd(child.pid!);
  child.stdin!.end('\n');
  await once(child.stdout!, 'data');
  return [child.pid!];
}

function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] !== 'Z';
  } catch {
    return false;
  }
}

for (const version of [2, 1] as const) {
  describe(`a leaf on cgroup v${version}`, () => {
    it('kills the whole tree, setsid and double forks included', async () => {
      const g = new SandboxCgroup(hierarchies(version === 2 ? 'both' : 1), `fbay/test/${newId()}`, systemClock);
      groups.push(g);
      g.create(DEFAULT_LIMITS);
      const leaf = g.leaf('exec-1');
      await escapingTree((pid) => leaf.add(pid));
      const pids = leaf.pids();
      expect(pids.length).toBeGreaterThanOrEqual(3);
      expect(await leaf.kill()).toBe(true);
      expect(pids.filter(alive)).toEqual([]);
      expect(leaf.pids()).toEqual([]);
    });
  });
}

describe('freezing', () => {
  for (const version of [2, 1] as const) {
    it(`stops and restarts a group on v${version}`, async () => {
      const hs = hierarchies(version).filter((h) => version === 2 || !h.controllers.has('kill'));
      const g = new SandboxCgroup(hs, `fbay/test/${newId()}`, systemClock);
      groups.push(g);
      g.create(DEFAULT_LIMITS);
      expect(g.freezer()).toMatch(version === 2 ? /v2/ : /v1/);
      const leaf = g.leaf('runtime');
      await escapingTree((pid) => leaf.add(pid));
      expect(await g.freeze(true)).toBe(true);
      const dir = join(hs.find((h) => h.controllers.has(version === 2 ? 'freeze' : 'freezer'))!.base, g.path);
      expect(readFileSync(join(dir, version === 2 ? 'cgroup.events' : 'freezer.state'), 'utf8')).toMatch(version === 2 ? /frozen 1/ : /FROZEN/);
      expect(await g.freeze(false)).toBe(true);
      expect(await g.destroy()).toBe(true);
      expect(existsSync(dir)).toBe(false);
    });
  }
});

describe('limits', () => {
  it('writes memory, pids and CPU limits on the group and says how each is enforced', () => {
    const g = new SandboxCgroup(hierarchies('both'), `fbay/test/${newId()}`, systemClock);
    groups.push(g);
    const enforced = g.create({ ...DEFAULT_LIMITS, memory_mb: 300, pids: 77, cpu: 0.5 });
    expect(Object.values(enforced).every((e) => e !== null)).toBe(true);
    const read = (controller: string, file: string): string => readFileSync(join(hierarchies('both').find((h) => h.controllers.has(controller))!.base, g.path, file), 'utf8').trim();
    if (enforced.memory_mb!.includes('v1')) expect(read('memory', 'memory.limit_in_bytes')).toBe(String(300 << 20));
    if (enforced.pids!.includes('v1')) expect(read('pids', 'pids.max')).toBe('77');
    if (enforced.cpu!.includes('v1')) expect(read('cpu', 'cpu.cfs_quota_us')).toBe('50000');
  });
});
