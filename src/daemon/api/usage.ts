// GET /v1/usage: an account's usage over time, day by day — credits of metered kinds, browser hours — from the
// sessions the daemon keeps (live ones and the most recent ended ones), for the dashboard's chart.
import * as v from 'valibot';
import { wholeNumber } from '../../transport/protocol/schema-kit.js';
import type { Route } from '../http/router.js';
import { HOUR_MS } from '../sessions/quota-usage.js';
import type { SessionCore } from '../sessions/session-core.js';
import { query } from './request.js';

const DAY_MS = 86_400_000;
export const UsageQuery = v.strictObject({ days: v.optional(v.pipe(v.string(), v.transform(Number), wholeNumber(1, 366))) });

export interface UsageBucket {
  start: string;
  /** Credits by kind (board, sandbox, …): what the sessions of that kind used within the day. */
  credits: Record<string, number>;
  /** Quota hours by kind (browser): time within the day. */
  hours: Record<string, number>;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function usageRoutes(core: SessionCore): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/usage',
      summary: "Your usage over the last ?days= days (default 30), a bucket a day (UTC), from the sessions this daemon keeps.",
      query: UsageQuery,
      handler: (r) => {
        const days = query(r, UsageQuery).days ?? 30;
        const now = core.now();
        const today = Math.floor(now / DAY_MS) * DAY_MS;
        const starts = Array.from({ length: days }, (_, i) => today - (days - 1 - i) * DAY_MS);
        const buckets: UsageBucket[] = starts.map((start) => ({ start: new Date(start).toISOString(), credits: {}, hours: {} }));
        for (const s of core.list(r.account, { all: true })) {
          if (s.host) continue; // a mirrored session is charged on its host
          const kind = core.kindOf(s);
          const end = s.ended_at ?? now;
          starts.forEach((start, i) => {
            const dayEnd = start + DAY_MS;
            if (s.created_at >= dayEnd || end < start) return;
            const b = buckets[i]!;
            if (kind.credits) {
              const used = kind.credits(s, Math.min(dayEnd, end)) - kind.credits(s, start - 1);
              if (used > 0) b.credits[s.kind] = round((b.credits[s.kind] ?? 0) + used);
            }
            const since = kind.quota?.since(s) ?? null;
            const inDay = since === null ? 0 : Math.max(0, Math.min(end, dayEnd) - Math.max(since, start));
            if (inDay > 0) b.hours[s.kind] = round((b.hours[s.kind] ?? 0) + inDay / HOUR_MS);
          });
        }
        const account = core.account(r.account);
        // This month's quota time of each kind that has one, against what the plan allows.
        const limits = core.accounts.limits(r.account);
        const quota: Record<string, { used_hours: number; monthly_hours: number | null }> = {};
        for (const kind of ['browser']) {
          const k = core.kind(kind);
          if (!k.quota) continue;
          const limit = k.quota.limitMs(limits);
          quota[kind] = { used_hours: round(core.quotaUsed(r.account, k, now) / HOUR_MS), monthly_hours: limit === null ? null : round(limit / HOUR_MS) };
        }
        return { status: 200, body: { account: account.account, days, buckets, quota, plans: account.plans } };
      },
    },
  ];
}
