// Quota time per account, kind and calendar month (UTC) — browser hours from ready to ended (DESIGN §3).

export const HOUR_MS = 3_600_000;

export function monthStart(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function nextMonthStart(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export function monthKey(t: number): string {
  return new Date(t).toISOString().slice(0, 7);
}

export interface UsageEntry {
  account: string;
  /** Absent in journals written before every kind shared one core: those entries are browser hours. */
  kind?: string;
  month: string;
  ms: number;
}

/** Time within [from, to) that falls in the month starting at `start`. */
export function overlap(from: number, to: number, start: number): number {
  return Math.max(0, Math.min(to, nextMonthStart(start)) - Math.max(from, start));
}

const slot = (account: string, kind: string, month: string) => `${account}\u0000${kind}\u0000${month}`;

export class QuotaUsage {
  private readonly ms = new Map<string, UsageEntry>();

  restore(entries: Iterable<UsageEntry>): void {
    for (const e of entries) {
      const kind = e.kind ?? 'browser';
      this.ms.set(slot(e.account, kind, e.month), { account: e.account, kind, month: e.month, ms: e.ms });
    }
  }

  entries(): UsageEntry[] {
    return [...this.ms.values()].map((e) => ({ ...e }));
  }

  /** Books an ended session's quota time, split across the months it spans; returns the records of what changed. */
  add(account: string, kind: string, from: number, to: number): Array<{ t: 'u'; u: UsageEntry; add: number }> {
    const changed: Array<{ t: 'u'; u: UsageEntry; add: number }> = [];
    for (let start = monthStart(from); start < to; start = nextMonthStart(start)) {
      const part = overlap(from, to, start);
      if (part <= 0) continue;
      const month = monthKey(start);
      const key = slot(account, kind, month);
      const entry = { account, kind, month, ms: (this.ms.get(key)?.ms ?? 0) + part };
      this.ms.set(key, entry);
      changed.push({ t: 'u', u: { ...entry }, add: part });
    }
    return changed;
  }

  /** Time this month already booked by ended sessions. */
  booked(account: string, kind: string, now: number): number {
    return this.ms.get(slot(account, kind, monthKey(now)))?.ms ?? 0;
  }

  /** Booked months of an account, oldest first (for usage charts). */
  history(account: string, kind: string): UsageEntry[] {
    return [...this.ms.values()].filter((e) => e.account === account && e.kind === kind).sort((a, b) => a.month.localeCompare(b.month));
  }
}
