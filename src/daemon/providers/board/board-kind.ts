// Board sessions (DESIGN §3): their transition table, deadlines, meter, limits and API view, as the core runs them.
import type { Session } from '../../../transport/protocol/api.js';
import { ApiError } from '../../../transport/protocol/errors.js';
import type { Deadline, SessionKind } from '../../sessions/kind.js';
import { defineLifecycle } from '../../sessions/lifecycle.js';
import { iso } from '../../sessions/record.js';
import { instantReaching, roundCredits } from './board-meter.js';
import { capInstant, idleDeadline, sessionCredits, type BoardRecord } from './board-record.js';

export const IDLE_WARNING_MS = 10_000;
export const CREDITS_LOW_MS = 60_000;
export const DURATION_WARNING_MS = 60_000;

export const BOARD_LIFECYCLE = defineLifecycle({
  initial: 'pending',
  next: {
    pending: ['allocating', 'ended'],
    allocating: ['idle', 'ended', 'pending'],
    idle: ['active', 'flashing', 'ended'],
    active: ['idle', 'flashing', 'ended'],
    flashing: ['idle', 'active', 'ended'],
    ended: [],
  },
  final: ['ended'],
});

const LIVE = ['pending', 'allocating', 'idle', 'active', 'flashing'] as const;

export interface BoardKindDeps {
  /** How long a session keeps its reservation while its board is unplugged or re-enumerating. */
  graceS(): number;
  /** The serial WebSocket URL a session's account reaches it at (the owner's Unix socket, or the TCP listener). */
  wsUrlFor(id: string, account: string): string;
  /** Serial clients attached now (the relay knows). */
  clientsOf(id: string): number;
}

/** Powered off by its user, a board may well leave the bus: the grace waits until the power is back on. */
function graceDeadline(s: BoardRecord, graceS: number): number | null {
  return s.board_lost_at == null || s.power_off_at != null ? null : s.board_lost_at + graceS * 1000;
}

export function boardKind(deps: BoardKindDeps): SessionKind<BoardRecord> {
  return {
    kind: 'board',
    lifecycle: BOARD_LIFECYCLE,
    waiting: 'pending',
    claimed: 'allocating',
    started: (s) => (deps.clientsOf(s.id) > 0 ? 'active' : 'idle'),
    finalState: () => 'ended',
    settled: (s) => s.state !== 'allocating',
    entering: (s, to, at) => {
      if (to === 'idle') return { idle_since: at, started_at: s.started_at ?? at };
      if (to === 'active') return { idle_since: null, started_at: s.started_at ?? at };
      // A mirror's meter, carried to the end instant by the host's formula (its own word, when it comes, refines it).
      if (to === 'ended') return s.host ? { idle_since: null, upstream_credits: sessionCredits(s, at) } : { idle_since: null };
      return {};
    },
    deadlines: (s) => {
      const out: Deadline[] = [];
      const idle = idleDeadline(s);
      if (idle !== null) out.push({ name: 'idle', at: idle, action: { end: 'idle_timeout' }, warn: { kind: 'idle_warning', lead_ms: IDLE_WARNING_MS, opened: s.idle_since! } });
      if (s.state === 'pending' && s.wait_until !== null) out.push({ name: 'wait', at: s.wait_until, action: { end: 'allocation_failed' } });
      const grace = graceDeadline(s, deps.graceS());
      if (grace !== null) out.push({ name: 'grace', at: grace, action: { end: 'board_lost' } });
      // A mirrored session's cap and budget are its host's to enforce: only the idle countdown runs here.
      if (s.started_at === null || s.host) return out;
      const cap = capInstant(s);
      if (cap !== null) out.push({ name: 'cap', at: cap, action: { end: 'max_duration' }, warn: { kind: 'duration_warning', lead_ms: DURATION_WARNING_MS, opened: s.started_at } });
      const budget = s.max_credits === null ? null : instantReaching(s, s.max_credits);
      if (budget !== null) out.push({ name: 'budget', at: budget, action: { end: 'credits_exhausted' }, warn: { kind: 'credits_low', lead_ms: CREDITS_LOW_MS, opened: s.started_at } });
      return out;
    },
    credits: (s, t) => sessionCredits(s, t),
    creditRate: (s) => (s.started_at === null || s.ended_at !== null ? 0 : s.rate_credits_per_min),
    concurrency: (limits) => ({ max: limits.board.max_concurrent, states: LIVE }),
    limitError: (account, counted, limits) => {
      const ids = counted.map((s) => s.id);
      return new ApiError(
        'session_conflict',
        `Account ${account} already has ${counted.length} live session${counted.length > 1 ? 's' : ''} (${ids.join(', ')}); its tier (${limits.tier}) allows ${limits.board.max_concurrent} at a time. End one with \`fbay session end ${ids[0]}\`.`,
        { live_sessions: ids },
      );
    },
    restored: (s, now) => {
      // Serial clients and holders did not survive the restart: the idle window restarts now for those that had any.
      if (s.state === 'active' || s.state === 'flashing' || (s.held ?? 0) > 0) return { state: s.state === 'pending' || s.state === 'allocating' ? s.state : 'idle', idle_since: now, held: 0 };
      if (s.host && s.state === 'pending') return { state: 'allocating' };
      return {};
    },
    view: (s, { now }): Session => toApiSession(s, now, deps),
  };
}

function toApiSession(s: BoardRecord, now: number, deps: BoardKindDeps): Session {
  const live = s.state !== 'ended';
  const budget = s.max_credits === null || s.host ? null : instantReaching(s, s.max_credits);
  const expires = [s.host ? (s.upstream_expires_at ?? null) : capInstant(s), budget].filter((t): t is number => t !== null);
  return {
    id: s.id,
    kind: 'board',
    state: s.state,
    board_type: s.board_type,
    board_id: s.board_id,
    account: s.account,
    created_at: iso(s.created_at)!,
    started_at: iso(s.started_at),
    ended_at: iso(s.ended_at),
    end_reason: s.end_reason as Session['end_reason'],
    idle_timeout_s: s.idle_timeout_s,
    idle_deadline: iso(idleDeadline(s)),
    board_missing_since: live ? iso(s.board_lost_at) : null,
    grace_deadline: live ? iso(graceDeadline(s, deps.graceS())) : null,
    expires_at: live && expires.length ? iso(Math.min(...expires)) : null,
    credits_used: roundCredits(sessionCredits(s, now)),
    max_credits: s.max_credits,
    rate_credits_per_min: s.rate_credits_per_min,
    ws_url: live && s.started_at !== null ? deps.wsUrlFor(s.id, s.account) : null,
    metadata: s.metadata,
    host: s.host ?? s.board_host ?? null,
    link: live && s.link ? { state: s.link.state, deadline: iso(s.link.deadline) } : null,
  };
}
