// A sandbox session as the core keeps it: the shared record plus its TTL, its limits, its activity, and the
// meter's inputs (credits billed up to the current state's start, and that start).
import type { SandboxIsolation, SandboxLimitsView, SandboxState } from '../../../transport/protocol/sandbox-api.js';
import type { CoreRecord } from '../../sessions/record.js';

export interface SandboxRecord extends CoreRecord {
  kind: 'sandbox';
  state: SandboxState;
  /** It expires ttl_s after created_at, whatever its state (`expiresAt`). */
  ttl_s: number;
  limits: SandboxLimitsView;
  isolation: SandboxIsolation | null;
  /** The last API call on it, exec, stream or web traffic; idle and deep sleep count from here. */
  last_activity_at: number;
  /** Execs running and streams open now: while any is, it neither idles nor sleeps. */
  busy: number;
  /** Fixed at create from config (`sandbox.idle_after_s`, `sandbox.deep_sleep_after_s`). */
  idle_after_s: number;
  deep_sleep_after_s: number;
  rate_active_per_min: number;
  rate_idle_per_min: number;
  /** When it entered its current state, and the credits billed before that (the meter is piecewise). */
  state_since: number;
  billed_credits: number;
  /** The secret its web URL carries; nobody else can guess it. */
  web_secret: string;
  failure_reason: string | null;
  /** The joined host it runs on (null or absent: this daemon), and its session id there. */
  joined_host?: string | null;
  upstream_id?: string | null;
}

/** States in which it runs at the active rate (starting up and waking use the CPU an active one does). */
const ACTIVE_RATE = new Set<SandboxState>(['creating', 'active', 'waking']);

export function rateOf(s: Pick<SandboxRecord, 'state' | 'rate_active_per_min' | 'rate_idle_per_min'>, state = s.state): number {
  if (ACTIVE_RATE.has(state)) return s.rate_active_per_min;
  return state === 'idle' ? s.rate_idle_per_min : 0;
}

/** Credits used by instant t: what was billed before the current state, then its rate since it began. */
export function sandboxCredits(s: SandboxRecord, t: number): number {
  const until = s.ended_at === null ? t : Math.min(t, s.ended_at);
  return s.billed_credits + (rateOf(s) * Math.max(0, until - s.state_since)) / 60_000;
}

export function expiresAt(s: Pick<SandboxRecord, 'created_at' | 'ttl_s'>): number {
  return s.created_at + s.ttl_s * 1000;
}

/** When no activity would make it idle, and sleep deeply; null while something holds it or it is past that. */
export function idleAt(s: SandboxRecord): number | null {
  return s.busy > 0 || s.state !== 'active' ? null : s.last_activity_at + s.idle_after_s * 1000;
}

export function deepSleepAt(s: SandboxRecord): number | null {
  return s.busy > 0 || (s.state !== 'active' && s.state !== 'idle') ? null : s.last_activity_at + s.deep_sleep_after_s * 1000;
}

/**
 * Credits up to a daemon restart. When the daemon stopped is not known: a sandbox is billed as if it had gone idle
 * and then to deep sleep on time (a dead daemon's sandboxes ran nothing after it), never past `now`.
 */
export function creditsBeforeRestart(s: SandboxRecord, now: number): number {
  if (s.state === 'deep_sleep') return s.billed_credits;
  const idle = Math.min(now, Math.max(s.state_since, s.last_activity_at + s.idle_after_s * 1000));
  const deep = Math.min(now, Math.max(s.state_since, s.last_activity_at + s.deep_sleep_after_s * 1000));
  const activeEnd = s.state === 'idle' ? s.state_since : Math.min(idle, deep);
  const active = (s.rate_active_per_min * Math.max(0, activeEnd - s.state_since)) / 60_000;
  const idleFrom = Math.max(s.state_since, activeEnd);
  const idleCredits = (s.rate_idle_per_min * Math.max(0, deep - idleFrom)) / 60_000;
  return s.billed_credits + active + idleCredits;
}

/** The host name label its web URL uses: `ses-…` in lower case, as browsers send host names. */
export function webLabel(id: string): string {
  return `ses-${id.slice(4)}`.toLowerCase();
}
