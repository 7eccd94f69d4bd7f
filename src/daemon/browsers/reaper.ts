// At daemon start: kills browsers an earlier daemon left running (killed before it could close them) and removes their profiles.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserDirs } from './browser-dirs.js';

export interface LiveRecord {
  pid: number;
  profile: string;
}

/** Puts a browser's pid on record the moment it is spawned. */
export function recordLive(dirs: BrowserDirs, id: string, record: LiveRecord): void {
  mkdirSync(dirs.live, { recursive: true, mode: 0o700 });
  writeFileSync(join(dirs.live, `${id}.json`), JSON.stringify(record), { mode: 0o600 });
}

export function forgetLive(dirs: BrowserDirs, id: string): void {
  rmSync(join(dirs.live, `${id}.json`), { force: true });
}

function cmdline(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return null;
  }
}

function pids(): number[] {
  try {
    return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return []; // no /proc (not Linux): the pid records alone are used
  }
}

function kill(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // not a group leader, or already gone
    }
  }
}

/**
 * Kills every process started with a profile under `dirs.run` (whatever the records say: a daemon can die between
 * spawn and record) and every recorded pid whose command line still names its profile, then empties the run dirs.
 * Returns the pids killed.
 */
export function reapLeftovers(dirs: BrowserDirs, log: (message: string) => void): number[] {
  const killed = new Set<number>();
  const marker = `--user-data-dir=${dirs.run}/`;
  let records: LiveRecord[] = [];
  try {
    records = readdirSync(dirs.live)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dirs.live, f), 'utf8')) as LiveRecord);
  } catch {
    // no records
  }
  for (const r of records) {
    // A recycled pid belongs to someone else: only a process still naming the profile is ours.
    if (Number.isInteger(r.pid) && r.pid > 1 && cmdline(r.pid)?.includes(`--user-data-dir=${r.profile}`)) {
      kill(r.pid);
      killed.add(r.pid);
    }
  }
  for (const pid of pids()) {
    if (pid === process.pid || killed.has(pid)) continue;
    if (cmdline(pid)?.includes(marker)) {
      kill(pid);
      killed.add(pid);
    }
  }
  if (killed.size > 0) log(`browsers: reaped ${killed.size} Chromium process${killed.size === 1 ? '' : 'es'} left by an earlier daemon`);
  rmSync(dirs.run, { recursive: true, force: true });
  rmSync(dirs.live, { recursive: true, force: true });
  return [...killed];
}
