// The core's records by id, with each account's live ones at hand: limits, meters and deadlines ask for an
// account's live sessions on every change, which must not mean a scan of every session ever kept.
import type { CoreRecord } from './record.js';

export class SessionTable {
  private readonly byId = new Map<string, CoreRecord>();
  /** Sessions that were live when added; ended ones are dropped the next time the account is read. */
  private readonly liveByAccount = new Map<string, Set<CoreRecord>>();

  /** Sessions by (account, Idempotency-Key). */
  private readonly byKey = new Map<string, CoreRecord>();

  constructor(private readonly isLive: (s: CoreRecord) => boolean) {}

  get(id: string): CoreRecord | undefined {
    return this.byId.get(id);
  }

  set(id: string, s: CoreRecord): void {
    this.byId.set(id, s);
    if (s.idempotency_key) this.byKey.set(`${s.account}\u0000${s.idempotency_key}`, s);
    if (this.isLive(s)) {
      let set = this.liveByAccount.get(s.account);
      if (!set) this.liveByAccount.set(s.account, (set = new Set()));
      set.add(s);
    }
  }

  delete(id: string): void {
    const s = this.byId.get(id);
    this.byId.delete(id);
    if (!s) return;
    this.liveByAccount.get(s.account)?.delete(s);
    const slot = `${s.account}\u0000${s.idempotency_key}`;
    if (s.idempotency_key && this.byKey.get(slot) === s) this.byKey.delete(slot);
  }

  /** The session an account made with this Idempotency-Key, if it is still kept. */
  byIdempotencyKey(account: string, key: string): CoreRecord | undefined {
    return this.byKey.get(`${account}\u0000${key}`);
  }

  values(): IterableIterator<CoreRecord> {
    return this.byId.values();
  }

  get size(): number {
    return this.byId.size;
  }

  /** An account's live sessions, oldest first. */
  live(account: string): CoreRecord[] {
    const set = this.liveByAccount.get(account);
    if (!set) return [];
    const out: CoreRecord[] = [];
    for (const s of set) {
      if (this.isLive(s)) out.push(s);
      else set.delete(s);
    }
    if (set.size === 0) this.liveByAccount.delete(account);
    return out;
  }
}
