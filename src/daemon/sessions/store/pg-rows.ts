// Records to SQL arguments and rows back to records: a session is its record as JSONB plus the columns the claims,
// the indexes and the sweep need, copied at the moment it is written (the core goes on changing its object).
import type { AccountSnapshot } from '../accounts.js';
import type { UsageEntry } from '../quota-usage.js';
import type { CoreRecord } from '../record.js';
import type { Claim, StoreRecord } from './store.js';

export interface RowOptions {
  isFinal(s: CoreRecord): boolean;
  /** The earliest instant one of the session's deadlines fires; null: none. */
  nextDeadline?(s: CoreRecord): number | null;
}

const at = (ms: number | null | undefined) => (ms == null ? null : new Date(ms));

export function insertArgs(writer: string, s: CoreRecord, claim: Claim, o: RowOptions): unknown[] {
  return [
    writer,
    s.id,
    s.kind,
    s.account,
    s.state,
    s.idempotency_key,
    s.request_hash,
    s.host,
    s.coordinator ?? null,
    at(s.created_at),
    at(o.nextDeadline?.(s)),
    JSON.stringify(s),
    claim.resources,
    claim.queue,
    claim.limit?.max ?? null,
    claim.limit ? [...claim.limit.states] : null,
  ];
}

/** fbay_write's four arguments; the session snapshots are copied now. */
export function writeArgs(writer: string, records: StoreRecord[], o: RowOptions): [string, string, string, string] {
  const sessions: unknown[] = [];
  const accounts: unknown[] = [];
  const usage: unknown[] = [];
  for (const r of records) {
    if (r.t === 's') {
      const s = r.s;
      sessions.push({ id: s.id, rev: s.rev ?? 0, state: s.state, resource: s.resource, live: !o.isFinal(s), ended_at: s.ended_at, deadline: o.isFinal(s) ? null : (o.nextDeadline?.(s) ?? null), record: s });
    } else if (r.t === 'a') accounts.push({ ...r.a, ...(r.delta ?? {}) });
    else usage.push({ ...r.u, kind: r.u.kind ?? 'browser', ...(r.add === undefined ? {} : { add: Math.round(r.add) }), ms: Math.round(r.u.ms) });
  }
  return [writer, JSON.stringify(sessions), JSON.stringify(accounts), JSON.stringify(usage)];
}

export interface AccountRow {
  name: string;
  tier: string;
  balance: number | null;
  used_total: number;
  configured: number | null;
  granted: string[];
}

export const accountOf = (r: AccountRow): AccountSnapshot => ({
  name: r.name,
  tier: r.tier,
  balance: r.balance,
  used_total: r.used_total,
  configured: r.configured,
  granted: r.granted,
});

export const usageOf = (r: { account: string; kind: string; month: string; ms: string | number }): UsageEntry => ({
  account: r.account,
  kind: r.kind,
  month: r.month,
  ms: Number(r.ms),
});
