// Freezing without a cgroup freezer: SIGSTOP every process of the sandbox's pid namespace. Racy — a process that
// forks between the scan and the signal leaves a running child — so it is only the fallback, and reported so.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

function members(nsInit: number): number[] {
  let ns: string;
  try {
    ns = readlinkSync(`/proc/${nsInit}/ns/pid`);
  } catch {
    return [];
  }
  // At the `process` level the sandbox shares our pid namespace: then it is the agent and its descendants.
  const shared = ns === readlinkSync('/proc/self/ns/pid');
  const parent = new Map<number, number>();
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!shared && readlinkSync(`/proc/${name}/ns/pid`) === ns) out.push(Number(name));
      if (shared) parent.set(Number(name), Number(readFileSync(`/proc/${name}/stat`, 'utf8').replace(/^.*\) \S+ /s, '').split(' ')[0]));
    } catch {
      // Gone, or not ours to look at.
    }
  }
  if (!shared) return out;
  const tree = new Set([nsInit]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) if (tree.has(ppid) && !tree.has(pid)) (tree.add(pid), (grew = true));
  }
  return [...tree];
}

/** Signals the namespace's init and everyone else in it, twice over to catch most forks; true if any was found. */
export function stopBySignal(nsInit: number, signal: 'SIGSTOP' | 'SIGCONT'): boolean {
  if (nsInit <= 0) return false;
  let found = false;
  for (let pass = 0; pass < 2; pass++) {
    for (const pid of members(nsInit)) {
      try {
        process.kill(pid, signal);
        found = true;
      } catch {
        // Exited meanwhile.
      }
    }
  }
  return found;
}
