// The store several coordinators share: PostgreSQL. A create is one call of fbay_insert; a change one of fbay_write,
// applied only onto the revision it was read at; other coordinators' writes arrive as ids through LISTEN/NOTIFY.
import { EventEmitter } from 'node:events';
import { clearTimeout as clearRealTimeout, setTimeout as realTimeout } from 'node:timers';
import pg from 'pg';
import type { CoreRecord } from '../record.js';
import { PgChanges } from './pg-changes.js';
import { isConnectionError, storeUnavailable, untilConnected } from './pg-errors.js';
import { PgReader, type AccountRead } from './pg-reader.js';
import { FIRST_TRY, HeldResources } from './held-resources.js';
import { accountOf, insertArgs, usageOf, writeArgs, type AccountRow, type RowOptions } from './pg-rows.js';
import { migrate } from './pg-schema.js';
import type { Claim, InsertResult, SessionStore, StoreChanges, StoreRecord, StoreSnapshot, WriteOutcome } from './store.js';

export interface PgStoreOptions extends RowOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** This coordinator's name: written with every change, so it can tell its own notifications from others'. */
  coordinator: string;
  log(message: string): void;
  /** Ended sessions loaded at start (the newest), beside every live one. */
  keepEnded?: number;
  poolSize?: number;
}

const APPLIED: WriteOutcome = { applied: true };

export class PgStore implements SessionStore {
  readonly pool: pg.Pool;
  private readonly feed: PgChanges;
  private readonly reader: PgReader;
  private closed = false;
  /** Each session's writes, one after the other: a write applies onto the one before it. */
  private readonly chains = new Map<string, Promise<unknown>>();
  /** Each session's line: bumped when the core takes the stored record again; writes of earlier lines that lost are void. */
  private readonly lines = new Map<string, number>();
  private readonly voidBelow = new Map<string, number>();
  /** Writes under way by account: a create waits for them, so an end just made here counts as ended in its limit. */
  private readonly byAccount = new Map<string, Set<Promise<unknown>>>();
  private waiting = false;
  /** What this coordinator's sessions hold, so that a create offers the free candidates first. */
  private readonly held = new HeldResources();

  constructor(private readonly options: PgStoreOptions) {
    // No idle timeout: its timer would be the tests' fake one, and a coordinator's pool is busy anyway.
    this.pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 8, idleTimeoutMillis: 0 });
    // A connection the server dropped (a restart) is replaced on the next query; the error is expected then.
    this.pool.on('error', (err) => options.log(`store: a PostgreSQL connection failed: ${err.message}`));
    this.feed = new PgChanges({ connectionString: options.url }, options.coordinator, options.log);
    this.reader = new PgReader(this.pool, options.coordinator);
  }

  get changes(): EventEmitter<StoreChanges> {
    return this.feed;
  }

  /** Applies the schema's migrations, starts listening, and reads every live session (and the newest ended ones). */
  async load(): Promise<StoreSnapshot> {
    const applied = await migrate(this.pool);
    if (applied.length) this.options.log(`store: PostgreSQL schema migrated to version ${applied.at(-1)}`);
    await this.feed.start();
    const { rows } = await this.pool.query<{ record: CoreRecord }>(
      `SELECT record FROM (SELECT record, created_at FROM sessions WHERE live
         UNION ALL (SELECT record, created_at FROM sessions WHERE NOT live ORDER BY created_at DESC LIMIT $1)) k ORDER BY created_at`,
      [this.options.keepEnded ?? 1000],
    );
    const accounts = await this.pool.query<AccountRow>('SELECT name, tier, balance, used_total, configured, granted FROM accounts');
    const usage = await this.pool.query('SELECT account, kind, month, ms FROM quota_usage');
    for (const { record } of rows) this.held.note(record, !this.options.isFinal(record));
    return { sessions: rows.map((r) => r.record), accounts: accounts.rows.map(accountOf), usage: usage.rows.map(usageOf) };
  }

  async insert(session: CoreRecord, claim: Claim): Promise<InsertResult> {
    const before = this.byAccount.get(session.account);
    if (before) await Promise.all(before);
    const candidates = claim.resources;
    if (candidates && candidates.length > FIRST_TRY) {
      const { first, all } = this.held.pick(candidates);
      // A few believed free first, without queueing; every candidate (and the queue) only if none of them was.
      if (first.length > 0) {
        try {
          const tried = await this.insertOnce(session, { ...claim, resources: first, queue: false });
          if (tried.outcome !== 'no_resource') return tried;
        } finally {
          this.held.release(first);
        }
      }
      return this.insertOnce(session, { ...claim, resources: all() });
    }
    return this.insertOnce(session, claim);
  }

  private async insertOnce(session: CoreRecord, claim: Claim): Promise<InsertResult> {
    type Row = { outcome: string; claimed: string | null; found: unknown };
    let row: Row;
    try {
      const sql = 'SELECT * FROM fbay_insert($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)';
      row = (await this.pool.query<Row>(sql, insertArgs(this.options.coordinator, session, claim, this.options))).rows[0]!;
    } catch (err) {
      // One statement, one transaction: when it did not get through, nothing of it was kept.
      if (isConnectionError(err)) throw storeUnavailable(err);
      throw err;
    }
    if (row.outcome === 'existing') return { outcome: 'existing', session: row.found as CoreRecord };
    if (row.outcome === 'limit') return { outcome: 'limit', counted: row.found as CoreRecord[] };
    if (row.outcome === 'no_resource') return { outcome: 'no_resource' };
    session.resource = row.claimed;
    this.held.note(session, true);
    return { outcome: 'created', session };
  }

  async assign(session: CoreRecord, resources: readonly string[]): Promise<string | null> {
    const rev = (session.rev ?? 0) + 1;
    const record = JSON.stringify({ ...session, rev });
    // Resources not registered yet (a capacity that grew, a board plugged in) are registered first.
    await this.pool.query('INSERT INTO resources (id, coordinator_id) SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING', [resources, session.coordinator ?? null]);
    const { rows } = await this.pool.query<{ id: string }>(
      `WITH pick AS (
         SELECT c.id FROM unnest($1::text[]) WITH ORDINALITY AS c (id, n) JOIN resources r ON r.id = c.id
         WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.live AND s.resource = c.id) ORDER BY c.n LIMIT 1 FOR UPDATE OF r SKIP LOCKED),
       upd AS (
         UPDATE sessions SET resource = pick.id, rev = $3, written_by = $4, record = jsonb_set($5::jsonb, '{resource}', to_jsonb(pick.id))
         FROM pick WHERE sessions.id = $2 AND sessions.rev = $3 - 1 RETURNING pick.id)
       SELECT id, pg_notify('fbay', 's:' || $4 || ':' || $2) FROM upd`,
      [resources, session.id, rev, this.options.coordinator, record],
    ).catch((err: { code?: string }) => (err.code === '23505' ? { rows: [] } : Promise.reject(err)));
    const taken = rows[0]?.id ?? null;
    if (taken !== null) {
      Object.assign(session, { resource: taken, rev });
      this.held.note(session, true);
    }
    return taken;
  }

  write(records: StoreRecord[]): Promise<WriteOutcome> {
    const args = writeArgs(this.options.coordinator, records, this.options);
    const session = records.find((r) => r.t === 's')?.s;
    if (!session) return this.run(args).then(() => APPLIED);
    const id = session.id;
    const line = this.lines.get(id) ?? 0;
    const final = this.options.isFinal(session);
    this.held.note(session, !final);
    const outcome = (this.chains.get(id) ?? Promise.resolve()).then(() => this.writeSession(id, line, args));
    const tail = outcome.catch(() => undefined);
    this.chains.set(id, tail);
    const mine = this.byAccount.get(session.account) ?? new Set();
    this.byAccount.set(session.account, mine.add(tail));
    void tail.then(() => {
      mine.delete(tail);
      if (mine.size === 0 && this.byAccount.get(session.account) === mine) this.byAccount.delete(session.account);
      if (this.chains.get(id) !== tail) return;
      this.chains.delete(id);
      if (final) (this.lines.delete(id), this.voidBelow.delete(id));
    });
    return outcome;
  }

  private async writeSession(id: string, line: number, args: string[]): Promise<WriteOutcome> {
    if (line < (this.voidBelow.get(id) ?? 0)) return { applied: false, current: await this.read(id) };
    try {
      await this.run(args);
      return APPLIED;
    } catch (err) {
      if ((err as { code?: string }).code !== 'FB001') throw err;
      // Another coordinator wrote first: this write and those queued after it in the same line are void.
      this.voidBelow.set(id, line + 1);
      return { applied: false, current: await this.read(id) };
    }
  }

  /** One fbay_write call; while the database is away it is retried until it is back (or the store closes). */
  private run(args: string[]): Promise<unknown> {
    return untilConnected(
      () => this.pool.query('SELECT fbay_write($1, $2::jsonb, $3::jsonb, $4::jsonb)', args),
      () => this.closed,
      (err) => {
        if (!this.waiting) this.options.log(`store: PostgreSQL is not reachable (${err.message}); writes wait for it`);
        this.waiting = true;
      },
    ).then((r) => {
      if (this.waiting) this.options.log('store: PostgreSQL is back; waiting writes applied');
      this.waiting = false;
      return r;
    });
  }

  rebase(id: string): void {
    this.lines.set(id, (this.lines.get(id) ?? 0) + 1);
  }

  read(id: string, options: { othersOnly?: boolean } = {}): Promise<CoreRecord | null> {
    return this.reader.read(id, options.othersOnly ?? false);
  }

  readAccount(name: string): Promise<AccountRead> {
    return this.reader.readAccount(name);
  }

  async live(): Promise<CoreRecord[]> {
    return (await this.pool.query<{ record: CoreRecord }>('SELECT record FROM sessions WHERE live ORDER BY created_at')).rows.map((r) => r.record);
  }

  async takeOver(s: CoreRecord, patch: Partial<CoreRecord>): Promise<CoreRecord | null> {
    const me = this.options.coordinator;
    const record = { ...s, ...patch, coordinator: me, rev: (s.rev ?? 0) + 1 };
    const { rows } = await this.pool
      .query<{ record: CoreRecord }>(
        `WITH upd AS (
           UPDATE sessions SET coordinator = $2, resource = $3, rev = $4, written_by = $2, record = $5::jsonb, state = $6,
             one_live = limit_states IS NOT NULL AND $6 = ANY (limit_states), next_deadline = to_timestamp($7::double precision / 1000)
           WHERE id = $1 AND live AND rev = $4 - 1 AND coordinator IS DISTINCT FROM $2 RETURNING record)
         SELECT record, pg_notify('fbay', 's:' || $2 || ':' || $1) FROM upd`,
        [s.id, me, record.resource, record.rev, JSON.stringify(record), record.state, this.options.nextDeadline?.(record) ?? null],
      )
      .catch((err: { code?: string }) => (err.code === '23505' ? { rows: [] } : Promise.reject(err)));
    const taken = rows[0]?.record ?? null;
    if (taken) this.held.note(taken, true);
    return taken;
  }

  /** Drops ended sessions compaction let go (none newer than the oldest ended one kept); live ones and accounts stay. */
  async compact(snapshot: StoreSnapshot): Promise<void> {
    const keep = snapshot.sessions.map((s) => s.id);
    const kept = snapshot.sessions.filter((s) => this.options.isFinal(s)).map((s) => s.created_at);
    const before = new Date(kept.length ? Math.min(...kept) : Date.now());
    await this.settled();
    await this.pool.query('DELETE FROM sessions WHERE NOT live AND NOT (id = ANY ($1::text[])) AND created_at <= $2', [keep, before]);
  }

  /** Resolves once every write so far is applied. */
  async settled(): Promise<void> {
    while (this.chains.size) await Promise.all([...this.chains.values()]);
  }

  private closing: Promise<void> | null = null;

  /** Waits a while for writes under way (not for ever: the database may be the reason they wait). */
  close(): Promise<void> {
    return (this.closing ??= this.shut());
  }

  private async shut(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled(), new Promise<void>((resolve) => (timer = realTimeout(resolve, 5000)))]);
    clearRealTimeout(timer);
    this.closed = true;
    await this.feed.close();
    await this.pool.end();
  }
}
