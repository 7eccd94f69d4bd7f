import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { browserDirs } from '../../../src/daemon/browsers/browser-dirs.js';
import { recordLive, reapLeftovers } from '../../../src/daemon/browsers/reaper.js';

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

/** A stand-in for a Chromium left behind: a detached process naming a profile under run/ (spawn returns after exec). */
function leftover(profile: string) {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '--', `--user-data-dir=${profile}`], { detached: true, stdio: 'ignore' });
  return { child, exited: once(child, 'exit') };
}

describe('reapLeftovers', () => {
  it('kills processes started with a profile under run/, never a recycled pid, then removes run/ and the records', async () => {
    const home = mkdtempSync('/tmp/fbay-reap-');
    homes.push(home);
    const dirs = browserDirs(join(home, 'state'));
    const profile = join(dirs.run, 'ses_leftover');
    mkdirSync(profile, { recursive: true });
    const left = leftover(profile);
    recordLive(dirs, 'ses_leftover', { pid: left.child.pid!, profile });
    // A record whose pid now belongs to someone else (this test process) must not be acted on.
    recordLive(dirs, 'ses_recycled', { pid: process.pid, profile: join(dirs.run, 'ses_recycled') });

    const killed = reapLeftovers(dirs, () => {});
    const [, signal] = await left.exited;
    expect(signal).toBe('SIGKILL');
    expect(killed).toContain(left.child.pid);
    expect(killed).not.toContain(process.pid);
    expect(existsSync(dirs.run)).toBe(false);
    expect(existsSync(dirs.live)).toBe(false);
  });

  it('does nothing on a clean start', () => {
    const home = mkdtempSync('/tmp/fbay-reap-');
    homes.push(home);
    expect(reapLeftovers(browserDirs(join(home, 'state')), () => {})).toEqual([]);
  });
});
