// The two limits on creating a browser session (DESIGN §3), in the seed's sentences: concurrent sessions per plan
// and monthly browser hours.
import type { BrowserPlanUsage } from '../../../transport/protocol/browser-api.js';
import { ApiError } from '../../../transport/protocol/errors.js';
import type { BrowserPlan } from '../../sessions/tiers.js';
import { HOUR_MS, monthStart, nextMonthStart } from '../../sessions/quota-usage.js';
import { expiresAt, type BrowserRecord } from './browser-record.js';

export const CONCURRENT_LIMIT = 'Concurrent browser session limit reached';
export const HOURS_LIMIT = 'Monthly browser hours limit reached';

const hours = (ms: number) => Math.round((ms / HOUR_MS) * 1000) / 1000;

export function planUsage(plan: BrowserPlan, usedMs: number, now: number): BrowserPlanUsage {
  return {
    plan: plan.name,
    maxConcurrent: plan.max_concurrent,
    monthlyHours: plan.monthly_hours,
    usedHours: hours(usedMs),
    periodStart: new Date(monthStart(now)).toISOString(),
    resetsAt: new Date(nextMonthStart(now)).toISOString(),
  };
}

/**
 * 429 concurrency_limit. Retry-After: the soonest a counted session reaches its cap without anyone acting (a queued or
 * assigning one: its whole length from now), so a client that waits that long finds a slot.
 */
export function concurrencyError(account: string, plan: BrowserPlan, live: readonly BrowserRecord[], now: number): ApiError {
  const soonest = Math.min(...live.map((s) => expiresAt(s) ?? now + s.max_duration_ms));
  const retryAfter = Math.max(1, Math.ceil((soonest - now) / 1000));
  const ids = live.map((s) => s.id).join(', ');
  return new ApiError(
    'concurrency_limit',
    `${CONCURRENT_LIMIT}: account ${account} has ${live.length} live browser session${live.length === 1 ? '' : 's'} (${ids}); its plan (${plan.name}) allows ${plan.max_concurrent} at a time. End one with \`fbay browser end ${live[0]?.id ?? 'ID'}\`.`,
    { liveSessions: live.map((s) => s.id), maxConcurrent: plan.max_concurrent },
    { 'retry-after': String(retryAfter) },
  );
}

/** 429 quota_exceeded when this month's browser hours are used up; Retry-After counts to the next month. */
export function quotaError(account: string, plan: BrowserPlan, usedMs: number, now: number): ApiError {
  const resets = nextMonthStart(now);
  return new ApiError(
    'quota_exceeded',
    `${HOURS_LIMIT}: account ${account} has used ${hours(usedMs)} of the ${plan.monthly_hours} browser hours its plan (${plan.name}) allows a month; the quota resets at ${new Date(resets).toISOString()}.`,
    {
      usedHours: hours(usedMs),
      monthlyHours: plan.monthly_hours,
      resetsAt: new Date(resets).toISOString(),
      next: 'Wait for the reset, or move the account to a bigger tier (`fbay config set account.tier pro`, or `fbay keys create --tier pro`).',
    },
    { 'retry-after': String(Math.max(1, Math.ceil((resets - now) / 1000))) },
  );
}
