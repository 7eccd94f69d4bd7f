// The host's real boards, kept current: scans on hotplug events and on the safety-net timer, one scan at a time.
import { basename, dirname } from 'node:path';
import type { BoardEntry } from '../board-entries.js';
import type { BoardRecord } from '../board-record.js';
import { RealBoards, type PathProbe } from '../real-boards.js';
import type { DiscoveredPort } from './discovered-port.js';
import { HotplugWatcher } from './hotplug-watcher.js';
import { createPortLister, type PortLister, type PortListerOptions } from './port-lister.js';

export interface DiscoveryOptions extends PortListerOptions {
  /** The safety-net rescan period (events usually come first); at most 1000 to notice a plug within 2 s. */
  rescanMs?: number;
  /** Tests: resolves a config entry's path. */
  probe?: PathProbe;
}

export interface BoardDiscoveryOptions extends DiscoveryOptions {
  entries: readonly BoardEntry[];
  /** Called after a scan that changed the boards. */
  onChange: () => void;
}

// Serial device nodes as the OS names them (USB CDC, USB-serial, WCH's own driver, built-in UARTs, macOS).
const TTY_NODE = /^(tty(ACM|USB|WCH|XRUSB|AMA|S)\d|rfcomm\d|cu\.|tty\.)/;

export class BoardDiscovery {
  readonly #real: RealBoards;
  readonly #lister: PortLister;
  readonly #watcher: HotplugWatcher;
  readonly #onChange: () => void;
  #entries: readonly BoardEntry[] = [];
  #scanning = false;
  #scanAgain: Set<string> | null = null;

  /** Scans once before returning where the platform lists synchronously (Linux), so records are ready at once. */
  constructor(options: BoardDiscoveryOptions) {
    this.#real = new RealBoards(options.probe);
    this.#lister = createPortLister(options);
    this.#onChange = options.onChange;
    const intervalMs = options.rescanMs;
    this.#watcher = new HotplugWatcher({ rescan: (changed) => this.#rescan(changed), ...(intervalMs ? { intervalMs } : {}) });
    this.setEntries(options.entries);
  }

  get records(): readonly BoardRecord[] {
    return this.#real.records;
  }

  /** Takes already checked entries; scans at once so a new entry is a board by the time this returns (Linux). */
  setEntries(entries: readonly BoardEntry[]): void {
    this.#entries = entries;
    this.#real.setEntries(entries);
    this.#watchTargets();
    this.#rescan(new Set());
  }

  refresh(): void {
    this.#rescan(new Set());
  }

  close(): void {
    this.#watcher.close();
  }

  #rescan(changed: Set<string>): void {
    if (this.#scanning) {
      // An async lister is mid-scan: one more scan after it, with every name reported meanwhile.
      this.#scanAgain = new Set([...(this.#scanAgain ?? []), ...changed]);
      return;
    }
    const result = this.#lister.scan(changed);
    if (Array.isArray(result)) {
      this.#apply(result);
      return;
    }
    this.#scanning = true;
    void result.then((ports) => {
      this.#scanning = false;
      this.#apply(ports);
      const again = this.#scanAgain;
      this.#scanAgain = null;
      if (again) this.#rescan(again);
    });
  }

  #apply(ports: readonly DiscoveredPort[]): void {
    if (this.#real.update(ports)) this.#onChange();
  }

  /** /dev for tty* nodes, and each config entry's directory for its file (a socat link, a by-id link). */
  #watchTargets(): void {
    const names = new Map<string, Set<string>>();
    for (const e of this.#entries) {
      if (!e.path) continue;
      const dir = dirname(e.path);
      (names.get(dir) ?? names.set(dir, new Set()).get(dir)!).add(basename(e.path));
    }
    const targets = new Map<string, (name: string) => boolean>();
    for (const [dir, set] of names) targets.set(dir, (name) => set.has(name));
    const devDir = this.#lister.devDir;
    if (devDir !== null) {
      const own = names.get(devDir);
      targets.set(devDir, (name) => TTY_NODE.test(name) || (own?.has(name) ?? false));
    }
    this.#watcher.watch(targets);
  }
}
