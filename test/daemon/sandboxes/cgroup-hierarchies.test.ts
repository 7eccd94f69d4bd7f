import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverHierarchies, provider } from '../../../src/daemon/sandboxes/cgroup-hierarchies.js';

describe('discoverHierarchies', () => {
  it('finds each writable v1 controller and the v2 mount at this process\'s own place in them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fbay-cg-'));
    mkdirSync(join(dir, 'me'));
    writeFileSync(join(dir, 'cgroup'), '9:name=systemd:/\n8:pids:/\n4:memory:/\n2:cpuacct:/\n0::/inner/me\n');
    writeFileSync(
      join(dir, 'mountinfo'),
      [
        `30 25 0:26 /inner ${dir} rw,relatime shared:1 - cgroup2 cgroup2 rw`,
        `31 25 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory`,
        `32 25 0:28 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids`,
        `33 25 0:29 / /nonexistent/cpuacct rw - cgroup cgroup rw,cpuacct`,
      ].join('\n'),
    );
    const found = discoverHierarchies(join(dir, 'cgroup'), join(dir, 'mountinfo'));
    // The v2 mount here is a temp dir showing the subtree /inner; the v1 mounts are real; the last is missing.
    const v2 = found.find((h) => h.version === 2)!;
    expect(v2.base).toBe(join(dir, 'me'));
    expect([...v2.controllers]).toEqual(expect.arrayContaining(['freeze', 'kill', 'cpustat']));
    expect(provider(found, 'cpuacct')).toBeUndefined();
    if (process.getuid?.() === 0) {
      expect(provider(found, 'memory')?.base).toBe('/sys/fs/cgroup/memory');
      expect(provider(found, 'pids')?.base).toBe('/sys/fs/cgroup/pids');
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
