// A daemon that is not root: namespaces still (bwrap unprivileged), the daemon's own user inside, and honest
// reports of what it cannot have (cgroups, a disk quota, a race-free freezer).
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { requireSandboxHost } from './harness.js';

const CHILD = fileURLToPath(new URL('./unprivileged-child.mjs', import.meta.url));
const NOBODY = 65534;

describe('a daemon that is not root', () => {
  it('still isolates with namespaces and says what it cannot limit', async () => {
    requireSandboxHost(); // root, to run the child as nobody
    if (!existsSync(fileURLToPath(new URL('../../../dist/daemon/sandboxes/sandbox-host.js', import.meta.url)))) {
      throw new Error('This test runs the built daemon code: run `npm run build` first (npm test does).');
    }
    const stateDir = mkdtempSync('/tmp/fbay-nobody-');
    chownSync(stateDir, NOBODY, NOBODY);
    try {
      const { stdout } = await promisify(execFile)('/usr/bin/setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, CHILD, stateDir], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: stateDir },
        timeout: 60_000,
      });
      const [isolation, limits, first, file, timed, frozen, thawed] = stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(isolation).toMatchObject({ level: 'namespaces', reason: null });
      expect(isolation.mechanisms).toContain("the daemon's user");
      expect(isolation.missing.map((m: string) => m.split(':')[0])).toEqual(['memory', 'cpu', 'pids', 'freezer', 'exec-kill', 'disk']);
      expect(limits.enforced).toEqual({ memory_mb: null, cpu: null, pids: null, disk_mb: null });
      expect(first).toMatchObject({ stdout: `${NOBODY}\nhi\n`, exit_code: 0, memory_used_mb: null });
      expect(file).toEqual({ file: 'hi\n' });
      expect(timed).toMatchObject({ timed_out: true, exit_code: 137 });
      expect(frozen).toEqual({ state: 'frozen' });
      expect(thawed.stdout).toBe('thawed\n');
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
