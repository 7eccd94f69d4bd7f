// Waits until no process of a browser's process group is left (renderers and the zygote outlive the browser briefly).
import { readdirSync, readFileSync } from 'node:fs';
import type { Clock } from '../../shared/clock.js';

const POLL_MS = 10;

/** Pids of the live (not zombie) processes whose process group is `pgid`; empty without /proc. */
export function groupPids(pgid: number): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Fields after the command name, which may hold spaces and parentheses: state, ppid, pgrp, …
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Resolves true once the group is empty, false if it still is not after `timeoutMs` (killing it again on each look). */
export async function groupGone(pgid: number, clock: Clock, timeoutMs: number, kill: () => void): Promise<boolean> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    if (groupPids(pgid).length === 0) return true;
    if (clock.now() >= deadline) return false;
    kill();
    await new Promise<void>((resolve) => clock.setTimeout(resolve, POLL_MS));
  }
}
