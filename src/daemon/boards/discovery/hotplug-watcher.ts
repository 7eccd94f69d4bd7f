// Tells the registry when to rescan: directory events for plugs and unplugs, and one slow timer as the safety net.
import { watch, type FSWatcher } from 'node:fs';

export interface HotplugWatcherOptions {
  /** One scan; `changed` holds the names events reported since the last scan (empty for a timer scan). */
  rescan: (changed: Set<string>) => void;
  /** The safety net's period: a plug no event reported (no inotify, a link in an unwatched dir) shows up within it. */
  intervalMs?: number;
  /** Coalesces a burst (the kernel makes the node, udev chmods it and adds links) into one scan. */
  settleMs?: number;
}

/** Which names in a directory matter (tty* in /dev, a config entry's file name in its directory). */
export type WatchTargets = ReadonlyMap<string, (name: string) => boolean>;

export const RESCAN_INTERVAL_MS = 1000;
const SETTLE_MS = 20;

export class HotplugWatcher {
  readonly #rescan: (changed: Set<string>) => void;
  readonly #settleMs: number;
  #targets: WatchTargets = new Map();
  // A directory that could not be watched (it does not exist yet) maps to null and is retried on each tick.
  readonly #watchers = new Map<string, FSWatcher | null>();
  readonly #timer: NodeJS.Timeout;
  #soon: NodeJS.Timeout | null = null;
  #changed = new Set<string>();
  #closed = false;

  constructor(options: HotplugWatcherOptions) {
    this.#rescan = options.rescan;
    this.#settleMs = options.settleMs ?? SETTLE_MS;
    // One timer for the whole host however many boards, unref'd: it never keeps a process alive.
    this.#timer = setInterval(() => this.#tick(), options.intervalMs ?? RESCAN_INTERVAL_MS);
    this.#timer.unref?.();
  }

  /** Replaces the watched directories. */
  watch(targets: WatchTargets): void {
    if (this.#closed) return;
    this.#targets = targets;
    for (const [dir, watcher] of this.#watchers) {
      if (targets.has(dir)) continue;
      watcher?.close();
      this.#watchers.delete(dir);
    }
    for (const dir of targets.keys()) if (!this.#watchers.get(dir)) this.#arm(dir);
  }

  /** The directories an event can come from right now. */
  watching(): string[] {
    return [...this.#watchers].filter(([, w]) => w !== null).map(([dir]) => dir);
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    if (this.#soon) clearTimeout(this.#soon);
    this.#soon = null;
    for (const watcher of this.#watchers.values()) watcher?.close();
    this.#watchers.clear();
  }

  #arm(dir: string): void {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => this.#event(dir, name));
      // A watched directory that goes away (a by-id dir when the last USB serial device leaves) is re-armed later.
      watcher.on('error', () => {
        watcher.close();
        if (this.#watchers.get(dir) === watcher) this.#watchers.set(dir, null);
      });
      this.#watchers.set(dir, watcher);
    } catch {
      this.#watchers.set(dir, null);
    }
  }

  #event(dir: string, name: string | Buffer | null): void {
    const wants = this.#targets.get(dir);
    if (name !== null) {
      const text = name.toString();
      if (wants && !wants(text)) return;
      this.#changed.add(text);
    }
    if (this.#soon || this.#closed) return;
    this.#soon = setTimeout(() => {
      this.#soon = null;
      this.#run();
    }, this.#settleMs);
    this.#soon.unref?.();
  }

  #tick(): void {
    for (const [dir, watcher] of this.#watchers) if (watcher === null) this.#arm(dir);
    this.#run();
  }

  #run(): void {
    if (this.#closed) return;
    const changed = this.#changed;
    this.#changed = new Set();
    this.#rescan(changed);
  }
}
