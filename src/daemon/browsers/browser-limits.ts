// The two limits on creating a browser session (DESIGN §3): concurrent sessions per plan and monthly browser hours.
import type { BrowserPlanUsage } from '../../transport/protocol/browser-api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import type { BrowserPlan } from './browser-settings.js';
import { expiresAt, type BrowserRecord } from './browser-record.js';
import { HOUR_MS, monthStart, nextMonthStart } from './browser-usage.js';

const hours = (ms: number) => Math.round((ms / HOUR_MS) * 1000) / 1000;

export function planUsage(plan: BrowserPlan, usedMs: number, now: number): BrowserPlanUsage {
  return {
    plan: plan.name,
    max_concurrent: plan.max_concurrent,
    monthly_hours: plan.monthly_hours,
    used_hours: hours(usedMs),
    period_start: new Date(monthStart(now)).toISOString(),
    resets_at: new Date(nextMonthStart(now)).toISOString(),
  };
}

/** 429 concurrency_limit when the account already has its plan's number of live sessions; Retry-After when one will end. */
export function checkConcurrency(account: string, plan: BrowserPlan, live: readonly BrowserRecord[], now: number): void {
  if (live.length < plan.max_concurrent) return;
  // The soonest a slot frees without anyone acting: the earliest cap of a live session (a queued one's full length).
  const soonest = Math.min(...live.map((s) => expiresAt(s) ?? now + s.max_duration_ms));
  const retryAfter = Math.max(1, Math.ceil((soonest - now) / 1000));
  const ids = live.map((s) => s.id).join(', ');
  throw new ApiError(
    'concurrency_limit',
    `Account ${account} has ${live.length} live browser session${live.length === 1 ? '' : 's'} (${ids}); its plan (${plan.name}) allows ${plan.max_concurrent} at a time. End one with \`fbay browser end ${live[0]!.id}\`.`,
    { live_sessions: live.map((s) => s.id), max_concurrent: plan.max_concurrent },
    { 'retry-after': String(retryAfter) },
  );
}

/** 429 quota_exceeded when this month's browser hours are used up; Retry-After counts to the next month. */
export function checkQuota(account: string, plan: BrowserPlan, usedMs: number, now: number): void {
  if (plan.monthly_hours === null || usedMs < plan.monthly_hours * HOUR_MS) return;
  const resets = nextMonthStart(now);
  throw new ApiError(
    'quota_exceeded',
    `Account ${account} has used ${hours(usedMs)} of the ${plan.monthly_hours} browser hours its plan (${plan.name}) allows a month; the quota resets at ${new Date(resets).toISOString()}.`,
    {
      used_hours: hours(usedMs),
      monthly_hours: plan.monthly_hours,
      resets_at: new Date(resets).toISOString(),
      next: 'Wait for the reset, or move to a bigger plan: `fbay config set browsers.plan pro`.',
    },
    { 'retry-after': String(Math.max(1, Math.ceil((resets - now) / 1000))) },
  );
}
