// One cgroup leaf, in every hierarchy at once: an exec's or background process's own group (or the runtime's),
// which gives its peak memory, CPU time and OOM kills, and kills its whole tree.
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import type { Hierarchy } from './cgroup-hierarchies.js';
import { keyed, number, read, removeTree, treePids, until, write, writeAsync } from './cgroup-files.js';

export interface LeafStats {
  memory_peak_mb: number | null;
  cpu_ms: number | null;
  oom_kills: number;
}

export class Leaf {
  constructor(
    private readonly dirs: Map<Hierarchy, string>,
    private readonly clock: Clock,
  ) {}

  /** Moves a process (by host pid) into this leaf in every hierarchy at once; false if it is gone. */
  async add(pid: number): Promise<boolean> {
    const moved = await Promise.all([...this.dirs.values()].map((dir) => writeAsync(join(dir, 'cgroup.procs'), String(pid))));
    return moved.every(Boolean);
  }

  /** Every process in the leaf (and below it, for the sandbox's whole group). */
  pids(): number[] {
    for (const dir of this.dirs.values()) return treePids(dir);
    return [];
  }

  stats(): LeafStats {
    let memory_peak_mb: number | null = null;
    let cpu_ms: number | null = null;
    let oom_kills = 0;
    for (const [h, dir] of this.dirs) {
      if (h.controllers.has('memory')) {
        const peak = number(join(dir, 'memory.max_usage_in_bytes'));
        if (peak !== null) memory_peak_mb = peak / (1 << 20);
        oom_kills += keyed(join(dir, 'memory.oom_control'), 'oom_kill') ?? 0;
      }
      if (h.controllers.has('v2:memory')) {
        const peak = number(join(dir, 'memory.peak'));
        if (peak !== null) memory_peak_mb = peak / (1 << 20);
        oom_kills += keyed(join(dir, 'memory.events'), 'oom_kill') ?? 0;
      }
      if (h.controllers.has('cpustat')) {
        const usec = keyed(join(dir, 'cpu.stat'), 'usage_usec');
        if (usec !== null) cpu_ms = usec / 1000;
      } else if (h.controllers.has('cpuacct') && cpu_ms === null) {
        const ns = number(join(dir, 'cpuacct.usage'));
        if (ns !== null) cpu_ms = ns / 1e6;
      }
    }
    return { memory_peak_mb, cpu_ms, oom_kills };
  }

  /** Kills every process in the leaf and waits until it is empty (processes only leave by dying). */
  async kill(): Promise<boolean> {
    const v2 = [...this.dirs].find(([h]) => h.controllers.has('kill'));
    const freezer = [...this.dirs].find(([h]) => h.controllers.has('freezer'));
    if (v2) write(join(v2[1], 'cgroup.kill'), '1');
    else if (freezer) {
      // v1 has no cgroup.kill: freeze so nothing can fork, SIGKILL everyone, thaw so the signals are delivered.
      if (write(join(freezer[1], 'freezer.state'), 'FROZEN')) {
        await until(() => read(join(freezer[1], 'freezer.state'))?.trim() === 'FROZEN', this.clock, 2000);
        for (const pid of treePids(freezer[1])) signal(pid);
        write(join(freezer[1], 'freezer.state'), 'THAWED');
      }
    }
    return until(
      () => {
        const left = this.pids();
        if (!v2 && !freezer) for (const pid of left) signal(pid);
        return left.length === 0;
      },
      this.clock,
      5000,
    );
  }

  remove(): boolean {
    let ok = true;
    for (const dir of this.dirs.values()) ok = removeTree(dir) && ok;
    return ok;
  }
}

function signal(pid: number, sig: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}
