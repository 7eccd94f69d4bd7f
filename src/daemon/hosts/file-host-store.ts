// The embedded host store: hosts.json in the state directory, rewritten whole (atomically) on each change; heartbeats
// are kept in memory and written with the next change or on a timer.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { HostRecord, HostStore, JoinedBoard, Refusal } from './host-store.js';

export const HOSTS_FILE = 'hosts.json';
/** How stale a persisted heartbeat may be after a crash. */
export const HEARTBEAT_FLUSH_MS = 5000;

export interface FileHostStoreOptions {
  stateDir: string;
  clock: Clock;
  /** Whether a live session holds the board with this coordinator id (its host keeps the id while away). */
  inUse(boardId: string): boolean;
  log(message: string): void;
}

export class FileHostStore implements HostStore {
  private readonly file: string;
  private readonly hosts = new Map<string, HostRecord>();
  private timer: TimerHandle | null = null;

  constructor(private readonly options: FileHostStoreOptions) {
    this.file = join(options.stateDir, HOSTS_FILE);
  }

  async load(): Promise<HostRecord[]> {
    if (existsSync(this.file)) {
      try {
        for (const h of (JSON.parse(readFileSync(this.file, 'utf8')) as { hosts: HostRecord[] }).hosts) this.hosts.set(h.name, h);
      } catch (err) {
        this.options.log(`hosts: ${this.file} does not parse (${(err as Error).message}); starting with no known hosts, they register again as they connect`);
      }
    }
    return [...this.hosts.values()].map((h) => structuredClone(h));
  }

  async register(name: string, version: string, boards: JoinedBoard[], at: number): Promise<{ record: HostRecord; refused: Refusal[] }> {
    const refused: Refusal[] = [];
    const taken: JoinedBoard[] = [];
    for (const b of boards) {
      const holder = this.holderOf(b.id, name);
      if (holder) refused.push({ id: b.id, holder });
      else taken.push(b);
    }
    // Ids this host took are no longer another's (a board moved from an idle host to this one).
    const ids = new Set(taken.map((b) => b.id));
    for (const other of this.hosts.values()) if (other.name !== name) other.boards = other.boards.filter((b) => !ids.has(b.id));
    const before = this.hosts.get(name);
    const record: HostRecord = {
      name,
      version,
      boards: taken,
      first_seen_at: before?.first_seen_at ?? at,
      connected_at: before?.connected_at ?? null,
      disconnected_at: before?.disconnected_at ?? null,
      last_heartbeat_at: at,
    };
    this.hosts.set(name, record);
    this.save();
    return { record: structuredClone(record), refused };
  }

  async link(name: string, patch: Pick<Partial<HostRecord>, 'connected_at' | 'disconnected_at' | 'last_heartbeat_at'>): Promise<void> {
    const h = this.hosts.get(name);
    if (!h) return;
    Object.assign(h, patch);
    this.save();
  }

  heartbeat(name: string, at: number): void {
    const h = this.hosts.get(name);
    if (!h) return;
    h.last_heartbeat_at = at;
    this.timer ??= this.options.clock.setTimeout(() => {
      this.timer = null;
      this.save();
    }, HEARTBEAT_FLUSH_MS);
    this.timer.unref?.();
  }

  async close(): Promise<void> {
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    this.save();
  }

  /** Another host that holds the id: connected, or away with a live session on that board. */
  private holderOf(id: string, name: string): string | null {
    for (const h of this.hosts.values()) {
      if (h.name === name || !h.boards.some((b) => b.id === id)) continue;
      const connected = h.connected_at !== null && h.disconnected_at === null;
      if (connected || this.options.inUse(id)) return h.name;
    }
    return null;
  }

  private save(): void {
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    const tmp = `${this.file}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify({ hosts: [...this.hosts.values()] }), { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (err) {
      this.options.log(`hosts: could not write ${this.file}: ${(err as Error).message}`);
    }
  }
}
