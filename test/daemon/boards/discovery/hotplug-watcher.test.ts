import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HotplugWatcher } from '../../../../src/daemon/boards/discovery/hotplug-watcher.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  vi.useRealTimers();
  cleanups.splice(0).forEach((c) => c());
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fbay-hotplug-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function watcher(rescan: (changed: Set<string>) => void, intervalMs?: number): HotplugWatcher {
  const w = new HotplugWatcher({ rescan, ...(intervalMs ? { intervalMs } : {}) });
  cleanups.push(() => w.close());
  return w;
}

describe('HotplugWatcher', () => {
  it('rescans on an event for a name it watches, passing the names, and ignores other names', async () => {
    const dir = tempDir();
    const scanned = new Promise<Set<string>>((resolve) => {
      watcher(resolve).watch(new Map([[dir, (name: string) => name.startsWith('tty')]]));
    });
    writeFileSync(join(dir, 'other'), '');
    writeFileSync(join(dir, 'ttyACM0'), '');
    expect([...(await scanned)]).toEqual(['ttyACM0']);
  });

  it('rescans on one timer as the safety net, and stops when closed', () => {
    vi.useFakeTimers();
    const rescan = vi.fn();
    const w = watcher(rescan, 1000);
    vi.advanceTimersByTime(999);
    expect(rescan).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(rescan).toHaveBeenCalledWith(new Set());
    vi.advanceTimersByTime(2000);
    expect(rescan).toHaveBeenCalledTimes(3);
    w.close();
    vi.advanceTimersByTime(5000);
    expect(rescan).toHaveBeenCalledTimes(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('watches a directory that did not exist yet once it appears, and stops watching dropped ones', () => {
    vi.useFakeTimers();
    const base = tempDir();
    const later = join(base, 'later');
    const w = watcher(() => undefined, 1000);
    w.watch(new Map([[base, () => true], [later, () => true]]));
    expect(w.watching()).toEqual([base]);
    mkdirSync(later);
    vi.advanceTimersByTime(1000);
    expect(w.watching().sort()).toEqual([base, later].sort());
    w.watch(new Map([[later, () => true]]));
    expect(w.watching()).toEqual([later]);
    w.close();
    expect(w.watching()).toEqual([]);
  });
});
