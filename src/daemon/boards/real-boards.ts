// Turns each scan into board records: config entries first, then discovered ports; boards that left stay, offline.
import { realpathSync } from 'node:fs';
import { basename } from 'node:path';
import type { BoardRecord } from './board-record.js';
import { entryId, type BoardEntry } from './board-entries.js';
import { boardType } from './board-types.js';
import { UNKNOWN_USB_TYPE, lookupUsb } from './catalog.js';
import { sanitiseId, usbPortId, type DiscoveredPort } from './discovery/discovered-port.js';

/** The real path behind a path, or null when nothing is there. */
export type PathProbe = (path: string) => string | null;

const realPathOf: PathProbe = (path) => {
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
};

export class RealBoards {
  #entries: readonly BoardEntry[] = [];
  // Every real board seen online, by id: what it was last, so it can be listed offline with the same id.
  readonly #seen = new Map<string, BoardRecord>();
  // vid:pid:serial seen on two ports at once (cheap CP2102s all say 0001): their ids carry the topology from then on.
  readonly #sharedSerials = new Set<string>();
  #records: readonly BoardRecord[] = [];
  #signature = '';

  constructor(private readonly probe: PathProbe = realPathOf) {}

  get records(): readonly BoardRecord[] {
    return this.#records;
  }

  /** Entries that went away stop being boards, changed ones are rebuilt; update() must run next. */
  setEntries(entries: readonly BoardEntry[]): void {
    for (const e of this.#entries) this.#seen.delete(entryId(e.name));
    this.#entries = entries;
  }

  /** Merges a scan. True when a board came, went, or changed (path, type, online flag…). */
  update(ports: readonly DiscoveredPort[]): boolean {
    const claimed = new Set<DiscoveredPort>();
    const records: BoardRecord[] = this.#entries.map((entry) => this.#entryBoard(entry, ports, claimed));
    const entryIds = new Set(records.map((r) => r.id));
    const discovered = this.#discovered(ports.filter((p) => !claimed.has(p)));
    for (const r of [...records, ...discovered]) this.#seen.set(r.id, r);
    const online = new Set(discovered.map((r) => r.id));
    for (const [id, last] of this.#seen) {
      if (online.has(id) || entryIds.has(id)) continue;
      if (this.#entries.some((e) => (e.serial_number && e.serial_number === last.serial_number) || e.path === last.path)) {
        this.#seen.delete(id); // an entry names this board now: it is listed under the entry
        continue;
      }
      discovered.push(last.online ? Object.freeze({ ...last, online: false }) : last);
    }
    discovered.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const next = [...records, ...discovered];
    const signature = next.map(signatureOf).join('\n');
    this.#records = Object.freeze(next);
    if (signature === this.#signature) return false;
    this.#signature = signature;
    return true;
  }

  #entryBoard(entry: BoardEntry, ports: readonly DiscoveredPort[], claimed: Set<DiscoveredPort>): BoardRecord {
    const id = entryId(entry.name);
    const free = ports.filter((p) => !claimed.has(p));
    let port = entry.serial_number === undefined ? undefined : firstInterface(free.filter((p) => p.serial_number === entry.serial_number));
    let path = port?.path ?? null;
    if (!port && entry.path !== undefined) {
      const real = this.probe(entry.path);
      if (real !== null) {
        // Present: a USB port under another name (a by-id link), or a device with no USB identity (a pty).
        port = free.find((p) => p.path === entry.path || p.path === real);
        path = entry.path;
      }
    }
    if (port) {
      claimed.add(port);
      // The board was listed under its USB id before this entry named it.
      const usbId = usbPortId(port);
      if (usbId !== null) this.#seen.delete(usbId);
    }
    if (path === null) {
      const last = this.#seen.get(id);
      const offline = last ?? makeRecord(id, entry.type, entry.path ?? '', null, entry);
      return offline.online ? Object.freeze({ ...offline, online: false }) : offline;
    }
    return makeRecord(id, entry.type, path, port ?? null, entry);
  }

  #discovered(ports: readonly DiscoveredPort[]): BoardRecord[] {
    const bySerial = new Map<string, number>();
    for (const p of ports) if (p.serial_number) bySerial.set(serialKey(p), (bySerial.get(serialKey(p)) ?? 0) + 1);
    for (const p of ports) {
      const key = p.serial_number ? serialKey(p) : null;
      if (key === null || bySerial.get(key)! < 2 || this.#sharedSerials.has(key)) continue;
      this.#sharedSerials.add(key);
      this.#seen.delete(usbPortId(p)!); // its id without the topology, which no longer says which board it is
    }
    return ports.map((p) => {
      const shared = p.serial_number !== null && this.#sharedSerials.has(serialKey(p));
      const id = usbPortId(shared ? { ...p, serial_number: `${p.serial_number}-at-${p.location ?? basename(p.path)}` } : p);
      const type = lookupUsb(p.vid, p.pid)?.type ?? UNKNOWN_USB_TYPE;
      return makeRecord(id ?? sanitiseId(`usb-${p.vid}-${p.pid}-${basename(p.path)}`), type, p.path, p, null);
    });
  }
}

function makeRecord(id: string, type: string, path: string, port: DiscoveredPort | null, entry: BoardEntry | null): BoardRecord {
  // A type the catalog does not know (a config entry may name any) costs and talks like a plain USB serial device.
  const t = boardType(type) ?? boardType(UNKNOWN_USB_TYPE)!;
  const known = port ? lookupUsb(port.vid, port.pid) : undefined;
  return Object.freeze({
    id,
    type,
    name: entry?.name ?? id,
    path,
    vid: port?.vid ?? null,
    pid: port?.pid ?? null,
    serial_number: port?.serial_number ?? entry?.serial_number ?? null,
    manufacturer: port?.manufacturer ?? null,
    product: port?.product ?? null,
    location: port?.location ?? null,
    rate_credits_per_min: entry?.rate_credits_per_min ?? t.rate_credits_per_min,
    baud_rate: entry?.baud ?? t.default_baud,
    reset_style: known ? known.reset_style : t.reset_style,
    reset_custom: entry && (entry.reset_hard || entry.reset_bootloader) ? { hard: entry.reset_hard, bootloader: entry.reset_bootloader } : null,
    online: true,
  });
}

/** A dual-channel bridge shows one serial number on two ttys: an entry naming it gets the first channel. */
function firstInterface(ports: DiscoveredPort[]): DiscoveredPort | undefined {
  return ports.sort((a, b) => (a.interface_number ?? 0) - (b.interface_number ?? 0))[0];
}

// The interface is part of it: the two channels of one dual bridge share a serial number and are not a clash.
function serialKey(p: DiscoveredPort): string {
  return `${p.vid}:${p.pid}:${p.serial_number}:${p.interface_number ?? 0}`;
}

function signatureOf(r: BoardRecord): string {
  return [r.id, r.type, r.name, r.path, r.online, r.vid, r.pid, r.serial_number, r.location, r.baud_rate, r.rate_credits_per_min, JSON.stringify(r.reset_custom)].join('\u0000');
}
