// Reads of single sessions, gathered: the ids asked for in one turn of the event loop are read in one query (a burst
// of notifications from another coordinator costs one round trip, not one per session).
import type pg from 'pg';
import type { CoreRecord } from '../record.js';

interface Waiter {
  othersOnly: boolean;
  resolve(s: CoreRecord | null): void;
  reject(err: Error): void;
}

export class PgReader {
  private pending = new Map<string, Waiter[]>();
  private scheduled = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly me: string,
  ) {}

  /** The session as stored; with `othersOnly`, null when this coordinator wrote it last (its own copy is as new). */
  read(id: string, othersOnly: boolean): Promise<CoreRecord | null> {
    return new Promise((resolve, reject) => {
      const list = this.pending.get(id) ?? [];
      list.push({ othersOnly, resolve, reject });
      this.pending.set(id, list);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    try {
      const { rows } = await this.pool.query<{ id: string; record: CoreRecord; written_by: string | null }>(
        'SELECT id, record, written_by FROM sessions WHERE id = ANY ($1::text[])',
        [[...batch.keys()]],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const [id, waiters] of batch) {
        const row = byId.get(id);
        for (const w of waiters) w.resolve(!row || (w.othersOnly && row.written_by === this.me) ? null : row.record);
      }
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err as Error);
    }
  }
}
