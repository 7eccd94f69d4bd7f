// Small helpers over cgroupfs files: they are tiny and in memory, so most are synchronous; moving a process is not.
import { mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';

export function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function write(path: string, value: string): boolean {
  try {
    writeFileSync(path, value);
    return true;
  } catch {
    return false;
  }
}

/**
 * `write` off the event loop, for moving a process into a group: the kernel may make the writer wait (for other
 * migrations, an RCU grace period), several milliseconds on a busy host, in which the daemon would do nothing.
 */
export async function writeAsync(path: string, value: string): Promise<boolean> {
  try {
    await writeFile(path, value);
    return true;
  } catch {
    return false;
  }
}

/** A `key value` line from a flat-keyed file (cpu.stat, memory.events, memory.oom_control). */
export function keyed(path: string, key: string): number | null {
  const text = read(path);
  if (text === null) return null;
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

export function number(path: string): number | null {
  const text = read(path);
  if (text === null) return null;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : null;
}

export function pidsIn(dir: string): number[] {
  const text = read(join(dir, 'cgroup.procs'));
  if (!text) return [];
  return text.split('\n').filter(Boolean).map(Number);
}

/** Every process in a group and the groups below it. */
export function treePids(dir: string): number[] {
  const out = pidsIn(dir);
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(...treePids(join(dir, e.name)));
  } catch {
    // Gone meanwhile.
  }
  return out;
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

/** Removes a cgroup directory and its child groups, deepest first; a group with processes left stays. */
export function removeTree(dir: string): boolean {
  let entries: string[];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return true;
  }
  let ok = true;
  for (const name of entries) ok = removeTree(join(dir, name)) && ok;
  try {
    rmdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') ok = false;
  }
  return ok;
}

/**
 * Polls a cheap check until it holds, for state changes the kernel makes in a few milliseconds (freezing, a
 * group emptying). Only runs while a caller waits on it: nothing ticks for an idle sandbox.
 */
export async function until(check: () => boolean, clock: Clock, timeoutMs: number, stepMs = 1): Promise<boolean> {
  const deadline = clock.now() + timeoutMs;
  while (!check()) {
    if (clock.now() >= deadline) return false;
    await new Promise<void>((resolve) => clock.setTimeout(resolve, stepMs));
  }
  return true;
}
