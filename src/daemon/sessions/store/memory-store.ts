// A store that keeps everything in memory with the same claim rules: for the core's unit tests (fake timers).
import type { AccountSnapshot } from '../accounts.js';
import type { UsageEntry } from '../quota-usage.js';
import type { CoreRecord } from '../record.js';
import { ClaimIndex } from './claims.js';
import type { Claim, InsertResult, SessionStore, StoreRecord, StoreSnapshot, WriteOutcome } from './store.js';

export class MemoryStore implements SessionStore {
  /** Every write, as deep copies, in order: what a journal would hold. */
  readonly records: StoreRecord[] = [];
  private index: ClaimIndex | null = null;

  constructor(private readonly isFinal: (s: CoreRecord) => boolean = (s) => s.ended_at !== null) {}

  async load(): Promise<StoreSnapshot> {
    this.index = new ClaimIndex(this.isFinal);
    const sessions = new Map<string, CoreRecord>();
    const accounts = new Map<string, AccountSnapshot>();
    const usage = new Map<string, UsageEntry>();
    for (const r of this.records) {
      if (r.t === 's') sessions.set(r.s.id, structuredClone(r.s));
      else if (r.t === 'a') accounts.set(r.a.name, structuredClone(r.a));
      else usage.set(`${r.u.account}\u0000${r.u.kind}\u0000${r.u.month}`, structuredClone(r.u));
    }
    const ordered = [...sessions.values()].sort((a, b) => a.created_at - b.created_at);
    for (const s of ordered) this.index.note(s);
    return { sessions: ordered, accounts: [...accounts.values()], usage: [...usage.values()] };
  }

  private get claims(): ClaimIndex {
    return (this.index ??= new ClaimIndex(this.isFinal));
  }

  async insert(session: CoreRecord, claim: Claim): Promise<InsertResult> {
    const result = this.claims.claim(session, claim);
    if (result.outcome === 'created') this.records.push({ t: 's', s: structuredClone(session) });
    return result;
  }

  async assign(session: CoreRecord, resources: readonly string[]): Promise<string | null> {
    const taken = this.claims.take(session, resources);
    if (taken !== null) this.records.push({ t: 's', s: structuredClone(session) });
    return taken;
  }

  async write(records: StoreRecord[]): Promise<WriteOutcome> {
    for (const r of records) {
      if (r.t === 's') this.claims.note(r.s);
      this.records.push(structuredClone(r));
    }
    return { applied: true };
  }

  async compact(snapshot: StoreSnapshot): Promise<void> {
    this.claims.retain(new Set(snapshot.sessions.map((s) => s.id)));
  }

  async close(): Promise<void> {}
}
