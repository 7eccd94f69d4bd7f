// One sandbox's cgroups: limits on its group, its runtime in a leaf, each exec and background process in its own leaf.
//
// Layout in every hierarchy used: <base>/fbay/<host>/<id>/{runtime,exec-N,bg-N}. Limits sit on <id>, so they hold
// for everything below; a leaf per exec lets us read that exec's peak memory and CPU time and kill its whole tree
// (cgroup.kill, or freeze-then-SIGKILL on v1), which no setsid or double fork escapes.
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import { provider, type Hierarchy } from './cgroup-hierarchies.js';
import { ensureDir, keyed, read, removeTree, treePids, until, write } from './cgroup-files.js';
import { Leaf } from './cgroup-leaf.js';
import type { SandboxLimits } from './sandbox-types.js';

export { Leaf } from './cgroup-leaf.js';

export type Enforced = Record<'memory_mb' | 'cpu' | 'pids', string | null>;

export class SandboxCgroup {
  private readonly dirs = new Map<Hierarchy, string>();

  /** `path`: fbay/<host>/<id>, the same in every hierarchy. */
  constructor(
    private readonly hierarchies: Hierarchy[],
    readonly path: string,
    private readonly clock: Clock,
  ) {
    for (const h of hierarchies) this.dirs.set(h, join(h.base, path));
  }

  /** Creates the group and sets the limits; says per limit how it is enforced or why it is not. */
  create(limits: SandboxLimits): Enforced {
    for (const [h, dir] of this.dirs) {
      if (h.version === 2) enableV2Controllers(h, this.path);
      ensureDir(dir);
    }
    const enforced: Enforced = { memory_mb: null, cpu: null, pids: null };
    const bytes = String(limits.memory_mb * (1 << 20));
    const memory = this.dir('memory');
    if (memory && write(join(memory, 'memory.limit_in_bytes'), bytes)) {
      write(join(memory, 'memory.memsw.limit_in_bytes'), bytes); // where swap is accounted, swap counts too
      enforced.memory_mb = 'cgroup v1 memory.limit_in_bytes';
    } else if (this.setV2('memory', 'memory.max', bytes)) {
      write(join(this.dir('v2:memory')!, 'memory.swap.max'), '0');
      enforced.memory_mb = 'cgroup v2 memory.max';
    }
    const pids = this.dir('pids');
    if (pids && write(join(pids, 'pids.max'), String(limits.pids))) enforced.pids = 'cgroup v1 pids.max';
    else if (this.setV2('pids', 'pids.max', String(limits.pids))) enforced.pids = 'cgroup v2 pids.max';
    const quota = Math.max(1000, Math.round(limits.cpu * 100_000));
    const cpu = this.dir('cpu');
    if (cpu && write(join(cpu, 'cpu.cfs_period_us'), '100000') && write(join(cpu, 'cpu.cfs_quota_us'), String(quota))) {
      enforced.cpu = 'cgroup v1 cpu.cfs_quota_us';
    } else if (this.setV2('cpu', 'cpu.max', `${quota} 100000`)) enforced.cpu = 'cgroup v2 cpu.max';
    return enforced;
  }

  /**
   * A leaf in every hierarchy (`all`, the runtime's), or only where a process's own group is needed (`process`:
   * kill, CPU time, peak memory and OOM kills); elsewhere it stays in the runtime's leaf under the same limits.
   * Each hierarchy a process moves in costs a cgroup migration, which waits on an RCU grace period: a few ms
   * on a busy host, so an exec moves into two or three, not six.
   */
  leaf(name: string, scope: 'all' | 'process' = 'all'): Leaf {
    const dirs = new Map<Hierarchy, string>();
    const needed = (h: Hierarchy): boolean => {
      if (scope === 'all') return true;
      const hasV2Kill = this.dir('kill') !== undefined;
      const hasCpuStat = this.dir('cpustat') !== undefined;
      return ['kill', 'cpustat', 'memory', 'v2:memory'].some((c) => h.controllers.has(c)) || (!hasV2Kill && h.controllers.has('freezer')) || (!hasCpuStat && h.controllers.has('cpuacct'));
    };
    for (const [h, dir] of this.dirs) {
      if (!needed(h)) continue;
      const leaf = join(dir, name);
      ensureDir(leaf);
      dirs.set(h, leaf);
    }
    return new Leaf(dirs, this.clock);
  }

  /**
   * Where the runtime lives: the sandbox's own group where a hierarchy lets a group hold processes and child
   * groups at once (v1; v2 without controllers), so its cgroup namespace is rooted at the sandbox; else a leaf.
   */
  runtimeLeaf(): Leaf {
    // The controllers enableV2Controllers switches on for the sandbox's children; with any, v2 forbids both.
    if (this.hierarchies.some((h) => ['v2:memory', 'v2:pids', 'v2:cpu'].some((c) => h.controllers.has(c)))) return this.leaf('runtime');
    return new Leaf(new Map(this.dirs), this.clock);
  }

  /** Every process of the sandbox, by host pid. */
  pids(): number[] {
    const dir = this.dir('kill') ?? this.dir('pids') ?? [...this.dirs.values()][0];
    return dir ? treePids(dir) : [];
  }

  /** How freezing works here, or null when the host has no freezer (then the caller stops processes by signal). */
  freezer(): string | null {
    if (this.dir('freeze')) return 'cgroup v2 cgroup.freeze';
    if (this.dir('freezer')) return 'cgroup v1 freezer';
    return null;
  }

  async freeze(frozen: boolean): Promise<boolean> {
    const v2 = this.dir('freeze');
    if (v2) {
      if (!write(join(v2, 'cgroup.freeze'), frozen ? '1' : '0')) return false; // no group (asleep)
      return until(() => keyed(join(v2, 'cgroup.events'), 'frozen') === (frozen ? 1 : 0), this.clock, 5000);
    }
    const v1 = this.dir('freezer');
    if (!v1) return false;
    const want = frozen ? 'FROZEN' : 'THAWED';
    if (!write(join(v1, 'freezer.state'), want)) return false;
    return until(() => read(join(v1, 'freezer.state'))?.trim() === want, this.clock, 5000);
  }

  /** Kills everything in the sandbox and removes its groups. */
  async destroy(): Promise<boolean> {
    const all = new Leaf(new Map([...this.dirs].map(([h, d]) => [h, d])), this.clock);
    await this.freeze(false);
    const killed = await all.kill();
    const pidsLeft = (): boolean => this.pids().length === 0;
    await until(pidsLeft, this.clock, 5000);
    let removed = true;
    for (const dir of this.dirs.values()) removed = removeTree(dir) && removed;
    return killed && removed;
  }

  private dir(what: string): string | undefined {
    const h = provider(this.hierarchies, what);
    return h ? this.dirs.get(h) : undefined;
  }

  private setV2(controller: string, file: string, value: string): boolean {
    const dir = this.dir(`v2:${controller}`);
    return dir !== undefined && write(join(dir, file), value);
  }
}

/** On v2, controllers must be switched on at every level from our own group down to the sandbox's. */
function enableV2Controllers(h: Hierarchy, path: string): void {
  const wanted = ['memory', 'pids', 'cpu'].filter((c) => h.controllers.has(`v2:${c}`));
  if (wanted.length === 0) return;
  let dir = h.base;
  for (const part of ['', ...path.split('/')]) {
    if (part) {
      dir = join(dir, part);
      ensureDir(dir);
    }
    const on = wanted.map((c) => `+${c}`).join(' ');
    if (!write(join(dir, 'cgroup.subtree_control'), on)) {
      // Our own group holds processes (the daemon), so v2 refuses to hand controllers to children: drop them.
      for (const c of wanted) h.controllers.delete(`v2:${c}`);
      return;
    }
  }
}
