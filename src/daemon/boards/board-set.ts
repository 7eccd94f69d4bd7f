// Every board a daemon can hand out: its own (the registry) and, on a coordinator, those of its joined hosts — one
// listing and one way to open a line, so the board provider, the queue and the relay treat them alike.
import { EventEmitter } from 'node:events';
import type { JoinedHosts } from '../hosts/joined-hosts.js';
import type { BoardRecord, BoardRegistry, OpenedPort } from './board-registry.js';

/** Who a line is opened for: a joined host opens its side of the same session, resuming at `offset`. */
export interface LineContext {
  session: string;
  offset: number;
}

/** What the relay's owner needs of the boards: find one, open its line, hear of changes. */
export interface LineSource {
  get(id: string): BoardRecord | undefined;
  open(id: string, ctx?: LineContext): Promise<OpenedPort>;
  on(event: 'change', listener: () => void): unknown;
}

export class BoardSet extends EventEmitter<{ change: [] }> implements LineSource {
  private cached: BoardRecord[] | null = null;

  constructor(
    private readonly local: BoardRegistry,
    private readonly joined: JoinedHosts,
  ) {
    super();
    const changed = () => {
      this.cached = null;
      this.typesCached = null;
      this.emit('change');
    };
    local.on('change', changed);
    joined.on('change', changed);
  }

  /** This machine's boards first, then each joined host's. */
  list(): BoardRecord[] {
    return (this.cached ??= [...this.local.list(), ...this.joined.list()]);
  }

  get(id: string): BoardRecord | undefined {
    return this.local.get(id) ?? this.joined.get(id);
  }

  /** Every known type, here or on a joined host (kept until the boards change: a create asks for it each time). */
  types(): string[] {
    return (this.typesCached ??= [...new Set([...this.local.types(), ...this.joined.list().map((b) => b.type)])].sort());
  }

  private typesCached: string[] | null = null;

  open(id: string, ctx?: LineContext): Promise<OpenedPort> {
    if (this.local.get(id) || !ctx) return this.local.open(id);
    return this.joined.open(id, ctx);
  }
}
