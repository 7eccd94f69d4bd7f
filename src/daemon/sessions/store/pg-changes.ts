// LISTEN on a dedicated connection (a pool's clients come and go): other coordinators' writes, as ids only. A lost
// connection is opened again and says `resync`, since what was notified meanwhile is gone.
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { StoreChanges } from './store.js';

export const CHANNEL = 'fbay';

/** `s:WRITER:ID`, `a:WRITER:ACCOUNT` or `k:WRITER:NAME` (API keys); null for anything else. */
export function parsePayload(payload: string): { type: 's' | 'a' | 'k'; writer: string; id: string } | null {
  const type = payload[0];
  if ((type !== 's' && type !== 'a' && type !== 'k') || payload[1] !== ':') return null;
  const rest = payload.slice(2);
  const cut = rest.lastIndexOf(':');
  if (cut <= 0) return null;
  return { type, writer: rest.slice(0, cut), id: rest.slice(cut + 1) };
}

export class PgChanges extends EventEmitter<StoreChanges> {
  private client: pg.Client | null = null;
  private closed = false;
  private connecting: Promise<void> | null = null;

  constructor(
    private readonly config: pg.ClientConfig,
    /** This coordinator: its own writes are not news to it. */
    private readonly me: string,
    private readonly log: (message: string) => void,
  ) {
    super();
  }

  /** Resolves once listening (the first time; later reconnects run in the background). */
  start(): Promise<void> {
    return (this.connecting ??= this.connect(false));
  }

  private async connect(again: boolean): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      const client = new pg.Client(this.config);
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
      } catch (err) {
        void client.end().catch(() => undefined);
        if (!again) throw err;
        await sleep(Math.min(2000, 100 * 2 ** attempt));
        continue;
      }
      if (this.closed) return void client.end().catch(() => undefined);
      this.client = client;
      client.on('notification', (m) => this.notified(m.payload ?? ''));
      client.once('end', () => this.lost(client));
      if (again) {
        this.log('store: listening for other coordinators again; reading what changed meanwhile');
        this.emit('resync');
      }
      return;
    }
  }

  private notified(payload: string): void {
    const p = parsePayload(payload);
    if (!p || p.writer === this.me) return;
    if (p.type === 's') this.emit('session', p.id);
    else if (p.type === 'a') this.emit('account', p.id);
    else this.emit('keys');
  }

  private lost(client: pg.Client): void {
    if (this.client !== client || this.closed) return;
    this.client = null;
    this.log('store: lost the PostgreSQL connection that listens for other coordinators; reconnecting');
    this.connecting = this.connect(true);
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
