// Browser hours per account and calendar month (UTC), from ready to ended, for the plans' monthly quotas (DESIGN §3).

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
  month: string;
  ms: number;
}

/** Time within [from, to) that falls in the month starting at `start`. */
function overlap(from: number, to: number, start: number): number {
  return Math.max(0, Math.min(to, nextMonthStart(start)) - Math.max(from, start));
}

export class UsageBook {
  private readonly ms = new Map<string, number>();

  restore(entries: Iterable<UsageEntry>): void {
    for (const e of entries) this.ms.set(`${e.account} ${e.month}`, e.ms);
  }

  entries(): UsageEntry[] {
    return [...this.ms].map(([key, ms]) => {
      const [account, month] = key.split(' ') as [string, string];
      return { account, month, ms };
    });
  }

  /** Books a finished session's browser time, split across the months it spans; returns the entries that changed. */
  add(account: string, from: number, to: number): UsageEntry[] {
    const changed: UsageEntry[] = [];
    for (let start = monthStart(from); start < to; start = nextMonthStart(start)) {
      const part = overlap(from, to, start);
      if (part <= 0) continue;
      const key = `${account} ${monthKey(start)}`;
      const ms = (this.ms.get(key) ?? 0) + part;
      this.ms.set(key, ms);
      changed.push({ account, month: monthKey(start), ms });
    }
    return changed;
  }

  /** Browser time this month: what ended sessions booked plus what live ones (`[ready, now)`) have run so far. */
  usedMs(account: string, now: number, liveSince: readonly number[]): number {
    const start = monthStart(now);
    const booked = this.ms.get(`${account} ${monthKey(now)}`) ?? 0;
    return booked + liveSince.reduce((sum, from) => sum + overlap(from, now, start), 0);
  }
}
