// Sandbox sessions (DESIGN §3): creating → active ⇄ idle → deep_sleep → waking → active; expired at the TTL from any
// state, ended by DELETE, failed from creating or waking (or from deep sleep, should its files be gone after a
// restart). Waking from deep sleep is a state of its own (the runtime
// starts again, up to seconds); waking from idle is a thaw inside the request (milliseconds), straight to active.
import { ApiError } from '../../../transport/protocol/errors.js';
import { LIVE_SANDBOX_STATES, type SandboxSession } from '../../../transport/protocol/sandbox-api.js';
import { roundCredits } from '../../sessions/credits.js';
import type { Deadline, SessionKind } from '../../sessions/kind.js';
import { defineLifecycle } from '../../sessions/lifecycle.js';
import { iso } from '../../sessions/record.js';
import type { SandboxPlan } from '../../sessions/tiers.js';
import { creditsBeforeRestart, deepSleepAt, expiresAt, idleAt, rateOf, sandboxCredits, type SandboxRecord } from './sandbox-record.js';

export const SANDBOX_LIFECYCLE = defineLifecycle({
  initial: 'creating',
  next: {
    creating: ['active', 'expired', 'ended', 'failed'],
    active: ['idle', 'deep_sleep', 'expired', 'ended'],
    idle: ['active', 'deep_sleep', 'expired', 'ended'],
    deep_sleep: ['waking', 'expired', 'ended', 'failed'],
    waking: ['active', 'expired', 'ended', 'failed'],
    expired: [],
    ended: [],
    failed: [],
  },
  final: ['expired', 'ended', 'failed'],
});

/** A warning this long before the TTL runs out. */
export const EXPIRY_WARNING_MS = 60_000;

export interface SandboxKindDeps {
  /** The URL its web app is reached at (the daemon's loopback web listener), secret included. */
  url(s: SandboxRecord, port?: number): string;
  now(): number;
}

export function sandboxKind(deps: SandboxKindDeps): SessionKind<SandboxRecord> {
  return {
    kind: 'sandbox',
    lifecycle: SANDBOX_LIFECYCLE,
    started: () => 'active',
    finalState: (reason) => (reason === 'expired' ? 'expired' : reason === 'failed' ? 'failed' : 'ended'),
    settled: (s) => s.state !== 'creating',
    entering: (s, to, at) => ({
      billed_credits: sandboxCredits(s, at),
      state_since: at,
      // Expired: its processes, files and metadata are deleted; the record stays to say so.
      ...(to === 'expired' ? { metadata: {} } : {}),
      ...(to === 'active' ? { last_activity_at: Math.max(s.last_activity_at, at) } : {}),
    }),
    deadlines: (s) => {
      const out: Deadline[] = [{ name: 'ttl', at: expiresAt(s), action: { end: 'expired' }, warn: { kind: 'duration_warning', lead_ms: EXPIRY_WARNING_MS, opened: s.created_at } }];
      const idle = idleAt(s);
      const deep = deepSleepAt(s);
      // Idle first, then deep sleep; with a deep-sleep window no longer than the idle one it goes straight there.
      if (idle !== null && (deep === null || idle < deep)) out.push({ name: 'idle', at: idle, action: { to: 'idle' } });
      if (deep !== null) out.push({ name: 'deep_sleep', at: deep, action: { to: 'deep_sleep' } });
      return out;
    },
    credits: (s, t) => sandboxCredits(s, t),
    creditRate: (s) => (s.ended_at === null ? rateOf(s) : 0),
    concurrency: (limits) => ({ max: limits.sandbox.max_live, states: LIVE_SANDBOX_STATES }),
    limitError: (account, counted, limits) => concurrencyError(account, limits.sandbox, counted, deps.now()),
    outlivesDaemon: true,
    restored: (s, now) => ({ state: 'deep_sleep', busy: 0, billed_credits: creditsBeforeRestart(s, now), state_since: now }),
    view: (s, { now }): SandboxSession => toApiSandbox(s, now, deps),
  };
}

/**
 * 429 concurrency_limit naming the plan; Retry-After when a wait helps: the soonest a live one goes to deep sleep
 * or expires by itself.
 */
export function concurrencyError(account: string, plan: SandboxPlan, live: readonly SandboxRecord[], now: number): ApiError {
  const ids = live.map((s) => s.id);
  const frees = live.map((s) => Math.min(deepSleepAt(s) ?? Infinity, expiresAt(s)));
  const soonest = Math.min(...frees);
  const headers: Record<string, string> = Number.isFinite(soonest) ? { 'retry-after': String(Math.max(1, Math.ceil((soonest - now) / 1000))) } : {};
  return new ApiError(
    'concurrency_limit',
    `Account ${account} has ${live.length} live sandbox${live.length === 1 ? '' : 'es'}; its plan (${plan.name}) allows ${plan.max_live} at a time (sandboxes in deep sleep do not count). End one with \`fbay sandbox end ${ids[0] ?? 'ID'}\`, or wait for one to go to deep sleep.`,
    { live_sessions: ids, max_live: plan.max_live, plan: plan.name },
    headers,
  );
}

function toApiSandbox(s: SandboxRecord, now: number, deps: SandboxKindDeps): SandboxSession {
  const live = s.ended_at === null;
  return {
    id: s.id,
    kind: 'sandbox',
    state: s.state,
    account: s.account,
    created_at: iso(s.created_at)!,
    expires_at: iso(expiresAt(s))!,
    ttl_s: s.ttl_s,
    url: live ? deps.url(s) : null,
    limits: s.limits,
    isolation: s.isolation,
    metadata: s.metadata,
    last_activity_at: iso(s.last_activity_at)!,
    ended_at: iso(s.ended_at),
    end_reason: s.end_reason,
    failure_reason: s.failure_reason,
    credits_used: roundCredits(sandboxCredits(s, now)),
    rate_credits_per_min: live ? rateOf(s) : 0,
  };
}
