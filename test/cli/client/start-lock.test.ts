import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { isAlive, lockHolder, tryAcquireLock } from '../../../src/cli/client/start-lock.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync('/tmp/fbay-lock-');
  file = join(dir, 'fbayd.lock');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that certainly belongs to no live process: one that just exited. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '0']).pid!;
  expect(isAlive(pid)).toBe(false);
  return pid;
}

describe('the start lock', () => {
  it('gives the lock to one of two acquirers, and to the other after release', () => {
    const first = tryAcquireLock(file);
    const second = tryAcquireLock(file);
    expect(first).not.toBeNull();
    expect(second).toBeNull();
    expect(lockHolder(file)).toBe(process.pid);
    first!.release();
    expect(existsSync(file)).toBe(false);
    const again = tryAcquireLock(file);
    expect(again).not.toBeNull();
    again!.release();
  });

  it('leaves no draft files behind', () => {
    tryAcquireLock(file)!.release();
    tryAcquireLock(file);
    expect(tryAcquireLock(file)).toBeNull();
    expect(readdirSync(dir)).toEqual(['fbayd.lock']);
  });

  it('takes over a lock whose holder is dead', () => {
    const dead = deadPid();
    writeFileSync(file, `${dead} cafe\n`);
    const lock = tryAcquireLock(file);
    expect(lock).not.toBeNull();
    expect(lockHolder(file)).toBe(process.pid);
    lock!.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('respects a lock held by another live process', () => {
    writeFileSync(file, `${process.ppid} beef\n`);
    expect(isAlive(process.ppid)).toBe(true);
    expect(tryAcquireLock(file)).toBeNull();
    expect(lockHolder(file)).toBe(process.ppid);
  });

  it('treats garbage in the lock file as stale', () => {
    writeFileSync(file, 'not a pid\n');
    expect(lockHolder(file)).toBeNull();
    expect(tryAcquireLock(file)).not.toBeNull();
  });

  it('release does not remove a lock that is no longer ours', () => {
    const lock = tryAcquireLock(file)!;
    writeFileSync(file, `${process.ppid} other\n`);
    lock.release();
    expect(lockHolder(file)).toBe(process.ppid);
  });
});
