// Bad inputs against real limits: a fork bomb meets pids.max, 10 GB meets the memory limit (OOM), a full disk
// meets the ext4 image's size; the daemon and a neighbouring sandbox carry on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/daemon/sandboxes/sandbox.js';
import { newId, openHost, processNames, type Harness } from './harness.js';

let h: Harness;
let box: Sandbox;
let neighbour: Sandbox;
beforeAll(async () => {
  h = await openHost();
  box = await h.host.create(newId(), { memory_mb: 128, pids: 48, disk_mb: 32 });
  neighbour = await h.host.create(newId(), { memory_mb: 128, pids: 48, disk_mb: 32 });
});
afterAll(async () => h?.close());

function cgroupFile(b: Sandbox, controller: string, file: string): string {
  const hier = h.host.probe.hierarchies.find((x) => x.controllers.has(controller));
  if (!hier) throw new Error(`this host has no cgroup ${controller} controller, which the test needs`);
  return readFileSync(join(hier.base, b.cgroup!.path, file), 'utf8');
}

describe('limits', () => {
  it('reports each limit as applied, and how', () => {
    expect(box.limits).toMatchObject({ memory_mb: 128, pids: 48, disk_mb: 32 });
    expect(box.limits.enforced.memory_mb).toMatch(/memory/);
    expect(box.limits.enforced.pids).toMatch(/pids\.max/);
    expect(box.limits.enforced.cpu).toMatch(/cpu/);
    expect(box.limits.enforced.disk_mb).toMatch(/ext4/);
  });

  it('holds a fork bomb at pids.max; the neighbour and the daemon are unaffected, and the sandbox recovers', async () => {
    // The exec's own process forks once (while it still can), then becomes `sleep`, which needs no more forks:
    // so the exec lives until its timeout, and the timeout has a bomb to clear.
    const bomb = box.exec({ command: '(bomb() { bomb | bomb & }; bomb) 2>/dev/null & exec sleep 1000', timeout_s: 2 });
    const other = await neighbour.exec({ code: 'console.log("fine")' });
    expect(other.stdout).toBe('fine\n');
    const r = await bomb;
    expect(r.timed_out).toBe(true);
    // The bomb reached the limit and no further (pids.peak is the group's high-water mark).
    expect(Number(cgroupFile(box, 'pids', 'pids.peak'))).toBe(48);
    // Left: bwrap, the namespace's init and Bun (the agent, and the warm one) — every process of the bomb is gone.
    expect(processNames(box).filter((n) => n !== 'bwrap' && n !== 'bun')).toEqual([]);
    expect((await box.exec({ command: 'echo recovered' })).stdout).toBe('recovered\n');
  });

  it('kills code that allocates 10 GB, and the result says it ran out of memory', async () => {
    const r = await box.exec({ code: 'const keep = []; for (let i = 0; i < 160; i++) keep.push(Buffer.alloc(64 << 20, 1)); console.log("allocated 10 GB")', timeout_s: 20 });
    expect(r).toMatchObject({ oom_killed: true, exit_code: 137, signal: 'SIGKILL', timed_out: false });
    expect(r.stdout).toBe('');
    expect(r.memory_used_mb).toBeGreaterThan(100);
    expect(r.memory_used_mb).toBeLessThanOrEqual(128);
    expect((await neighbour.exec({ command: 'echo still here' })).stdout).toBe('still here\n');
  });

  it('stops a disk filler at the quota', async () => {
    const r = await box.exec({ command: 'dd if=/dev/zero of=big bs=1M count=100 2>&1; ls -l big | awk "{print \\$5}"; df -m /workspace | tail -1', timeout_s: 20 });
    expect(r.stdout).toContain('No space left on device');
    const size = Number(r.stdout.split('\n').at(-3));
    expect(size).toBeLessThan(32 << 20);
    expect(size).toBeGreaterThan(20 << 20);
    await expect(Promise.resolve().then(() => box.files.write('more.bin', Buffer.alloc(8 << 20)))).rejects.toMatchObject({ code: 'payload_too_large' });
    await box.exec({ command: 'rm big' });
  });
});
