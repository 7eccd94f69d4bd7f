// A joined host's board listing taken in: ids that clash with the coordinator's own boards or another host's are
// refused, each with the reason; a burst of new listings costs one registration at a time, the latest winning.
import type { TunnelBoard } from '../../transport/tunnel/messages.js';
import type { HostLink } from './host-link.js';
import { joinedBoards } from './joined-boards.js';
import type { HostRecord, HostStore } from './host-store.js';

export interface Refusal {
  id: string;
  reason: string;
}

export interface RegistrationDeps {
  store: HostStore;
  /** Whether the coordinator has a board of its own with this id (a host may not take it). */
  localBoard(id: string): boolean;
  now(): number;
  log(message: string): void;
  /** The boards registered changed: the coordinator's listing is rebuilt. */
  changed(): void;
}

/** What registration reads and writes of a host. */
export interface Registrant {
  record: HostRecord;
  link: HostLink | null;
}

export class HostRegistration {
  /** A host's newest board listing not registered yet, by connection. */
  private readonly next = new WeakMap<HostLink, TunnelBoard[]>();

  constructor(private readonly o: RegistrationDeps) {}

  /** Takes the offered boards' ids, refusing those the coordinator or another host holds; says why for each. */
  async register(host: Registrant, version: string, offered: TunnelBoard[], at: number): Promise<Refusal[]> {
    const name = host.record.name;
    const boards = joinedBoards(name, offered);
    const own = boards.filter((b) => this.o.localBoard(b.id));
    const { record, refused } = await this.o.store.register(name, version, boards.filter((b) => !this.o.localBoard(b.id)), at);
    host.record = { ...record, connected_at: host.record.connected_at, disconnected_at: host.record.disconnected_at };
    const reasons = [
      ...own.map((b) => ({ id: b.local_id, reason: `Board id '${b.id}' is one of the coordinator's own boards; give the board on ${name} another name (\`fbay boards add --name …\` there).` })),
      ...refused.map((r) => ({
        id: boards.find((b) => b.id === r.id)!.local_id,
        reason: `Board id '${r.id}' is already offered by host '${r.holder}'; one board id belongs to one host. Unplug it there, or give this one another name (\`fbay boards add --name …\` on ${name}).`,
      })),
    ];
    for (const r of reasons) this.o.log(`host ${name}: refused board ${r.id}: ${r.reason}`);
    this.o.changed();
    return reasons;
  }

  /** A new listing from the host over `link`: registered (after any under way), then answered with the ids. */
  reregister(host: Registrant, link: HostLink, boards: TunnelBoard[]): void {
    const first = !this.next.has(link);
    this.next.set(link, boards);
    if (!first) return;
    const run = async () => {
      while (this.next.has(link) && host.link === link) {
        const latest = this.next.get(link)!;
        const refused = await this.register(host, host.record.version ?? 'unknown', latest, this.o.now());
        if (this.next.get(link) === latest) this.next.delete(link);
        link.send({ op: 'registered', ids: idsOf(host.record), refused });
      }
      this.next.delete(link);
    };
    run().catch((err: Error) => this.o.log(`host ${host.record.name}: registration failed: ${err.message}`));
  }
}

/** The coordinator's id for each of the host's boards, by the host's own id. */
export function idsOf(record: HostRecord): Record<string, string> {
  return Object.fromEntries(record.boards.map((b) => [b.local_id, b.id]));
}
