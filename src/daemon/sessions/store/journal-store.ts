// The embedded store: one JSON-lines journal for every kind, a 201 only once its line is fsynced (DESIGN §2).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AccountSnapshot } from '../accounts.js';
import type { UsageEntry } from '../quota-usage.js';
import type { CoreRecord } from '../record.js';
import { ClaimIndex } from './claims.js';
import { JournalFile } from './journal-file.js';
import { migrateLegacyJournals } from './legacy-journals.js';
import type { Claim, InsertResult, SessionStore, StoreRecord, StoreSnapshot, WriteOutcome } from './store.js';

export const JOURNAL_NAME = 'sessions.jsonl';

export interface JournalStoreOptions {
  stateDir: string;
  log(message: string): void;
  /** Whether a record is over (its kind's final states); the claim index keeps only live ones. */
  isFinal(s: CoreRecord): boolean;
}

export class JournalStore implements SessionStore {
  private readonly file: JournalFile;
  private readonly index: ClaimIndex;

  constructor(private readonly options: JournalStoreOptions) {
    mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
    this.file = new JournalFile(join(options.stateDir, JOURNAL_NAME), options.log);
    this.index = new ClaimIndex(options.isFinal);
  }

  async load(): Promise<StoreSnapshot> {
    await migrateLegacyJournals(this.options.stateDir, this.file, this.options.log);
    const sessions = new Map<string, CoreRecord>();
    const accounts = new Map<string, AccountSnapshot>();
    const usage = new Map<string, UsageEntry>();
    for (const line of this.file.readLines()) {
      let batch: StoreRecord[];
      try {
        batch = JSON.parse(line) as StoreRecord[];
        if (!Array.isArray(batch)) throw new Error('not a list of records');
      } catch (err) {
        this.options.log(`journal: skipped a line that does not parse (${(err as Error).message}): ${line.slice(0, 80)}`);
        continue;
      }
      for (const r of batch) {
        if (r.t === 's') sessions.set(r.s.id, r.s);
        else if (r.t === 'a') accounts.set(r.a.name, r.a);
        else if (r.t === 'u') usage.set(`${r.u.account}\u0000${r.u.kind ?? 'browser'}\u0000${r.u.month}`, r.u);
      }
    }
    const ordered = [...sessions.values()].sort((a, b) => a.created_at - b.created_at);
    for (const s of ordered) this.index.note(s);
    return { sessions: ordered, accounts: [...accounts.values()], usage: [...usage.values()] };
  }

  async insert(session: CoreRecord, claim: Claim): Promise<InsertResult> {
    const result = this.index.claim(session, claim);
    if (result.outcome === 'created') await this.file.append(JSON.stringify([{ t: 's', s: session }]));
    // The earlier session's line may still be in the commit under way: answer only once it is on disk.
    else if (result.outcome === 'existing') await this.file.settled();
    return result;
  }

  async assign(session: CoreRecord, resources: readonly string[]): Promise<string | null> {
    const taken = this.index.take(session, resources);
    if (taken !== null) await this.file.append(JSON.stringify([{ t: 's', s: session }]));
    return taken;
  }

  /** One daemon owns the journal: every write applies. */
  async write(records: StoreRecord[]): Promise<WriteOutcome> {
    if (records.length === 0) return { applied: true };
    for (const r of records) if (r.t === 's') this.index.note(r.s);
    await this.file.append(JSON.stringify(records));
    return { applied: true };
  }

  async compact(snapshot: StoreSnapshot): Promise<void> {
    const keep = new Set(snapshot.sessions.map((s) => s.id));
    for (const s of snapshot.sessions) this.index.note(s);
    this.index.retain(keep);
    const lines: string[] = [];
    for (const a of snapshot.accounts) lines.push(JSON.stringify([{ t: 'a', a }]));
    for (const u of snapshot.usage) lines.push(JSON.stringify([{ t: 'u', u }]));
    for (const s of snapshot.sessions) lines.push(JSON.stringify([{ t: 's', s }]));
    await this.file.replace(lines);
  }

  poll(): void {
    this.file.reap();
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
