// The exclusive lock CLIs take before starting the daemon, so two racing CLIs never start two (like Nx's start-lock).
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export interface StartLock {
  readonly file: string;
  release(): void;
}

/** Is a process with this pid alive? EPERM means it exists but belongs to someone else. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid written in a lock file, or null when there is no lock (or it is unreadable). */
export function lockHolder(file: string): number | null {
  const content = readOrNull(file);
  if (content === null) return null;
  const pid = Number(content.split(' ')[0]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/**
 * Takes the lock, or returns null when a live process holds it. A lock whose holder is dead is stale: it is moved
 * aside and the lock taken. The content (pid and a nonce) is written before the lock file exists, because the file
 * is published with link(), which fails when it exists — so nobody ever reads a half-written lock.
 */
export function tryAcquireLock(file: string, pid = process.pid): StartLock | null {
  const content = `${pid} ${randomBytes(8).toString('hex')}\n`;
  const draft = `${file}.${pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, content, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(draft, file);
        return { file, release: () => releaseIfOurs(file, content) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const seen = readOrNull(file);
      if (seen === null) continue; // released between our link and our read: try again
      const holder = lockHolder(file);
      if (holder !== null && isAlive(holder) && readOrNull(file) === seen) return null;
      removeStale(file, seen);
    }
    return null;
  } finally {
    unlinkQuiet(draft);
  }
}

/**
 * Moves a stale lock aside, then checks it moved the lock it judged stale; if another CLI replaced it in between
 * (a fresh, live lock), that one is put back.
 */
function removeStale(file: string, staleContent: string): void {
  const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (readOrNull(aside) !== staleContent) {
    try {
      linkSync(aside, file);
    } catch {
      // Someone took the lock meanwhile: theirs stands, and the daemon's own "already-running" check covers the rest.
    }
  }
  unlinkQuiet(aside);
}

function releaseIfOurs(file: string, content: string): void {
  if (readOrNull(file) === content) unlinkQuiet(file);
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
