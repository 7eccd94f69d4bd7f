// Reads of single sessions and accounts, gathered: ids asked for while a read is under way wait for it to finish and
// are then read together in one query, so a burst of notifications from another coordinator costs a few round trips,
// not one per session. At most one read of each sort is in flight.
import type pg from 'pg';
import type { CoreRecord } from '../record.js';
import type { AccountSnapshot } from '../accounts.js';
import type { UsageEntry } from '../quota-usage.js';
import { accountOf, usageOf, type AccountRow } from './pg-rows.js';

export type AccountRead = { account: AccountSnapshot | null; usage: UsageEntry[] };

/** Gathers keys asked for into one fetch at a time: the first waits a turn of the event loop, the rest for the one before. */
export class Gathered<K, V> {
  private pending = new Map<K, Array<{ resolve(v: V | undefined): void; reject(err: Error): void }>>();
  private busy = false;

  constructor(private readonly fetch: (keys: K[]) => Promise<Map<K, V>>) {}

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const list = this.pending.get(key) ?? [];
      this.pending.set(key, list);
      list.push({ resolve, reject });
      if (!this.busy) {
        this.busy = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    try {
      const found = await this.fetch([...batch.keys()]);
      for (const [key, waiters] of batch) for (const w of waiters) w.resolve(found.get(key));
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err as Error);
    }
    if (this.pending.size) void this.flush();
    else this.busy = false;
  }
}

type SessionRow = { id: string; record: CoreRecord; written_by: string | null };

export class PgReader {
  private readonly sessions: Gathered<string, SessionRow>;
  private readonly accounts: Gathered<string, AccountRead>;

  constructor(
    pool: pg.Pool,
    private readonly me: string,
  ) {
    this.sessions = new Gathered(async (ids) => {
      const { rows } = await pool.query<SessionRow>('SELECT id, record, written_by FROM sessions WHERE id = ANY ($1::text[])', [ids]);
      return new Map(rows.map((r) => [r.id, r]));
    });
    this.accounts = new Gathered(async (names) => {
      const [a, u] = await Promise.all([
        pool.query<AccountRow>('SELECT name, tier, balance, used_total, configured, granted FROM accounts WHERE name = ANY ($1::text[])', [names]),
        pool.query('SELECT account, kind, month, ms FROM quota_usage WHERE account = ANY ($1::text[])', [names]),
      ]);
      const found = new Map<string, AccountRead>(names.map((n) => [n, { account: null, usage: [] }]));
      for (const row of a.rows) found.get(row.name)!.account = accountOf(row);
      for (const row of u.rows) found.get(row.account)?.usage.push(usageOf(row));
      return found;
    });
  }

  /** The session as stored; with `othersOnly`, null when this coordinator wrote it last (its own copy is as new). */
  async read(id: string, othersOnly: boolean): Promise<CoreRecord | null> {
    const row = await this.sessions.get(id);
    return !row || (othersOnly && row.written_by === this.me) ? null : row.record;
  }

  /** An account and its usage rows as stored now. */
  async readAccount(name: string): Promise<AccountRead> {
    return (await this.accounts.get(name)) ?? { account: null, usage: [] };
  }
}
