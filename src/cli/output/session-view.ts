// Human views of sessions: the `session list` table and the one-session block of `create`/`show`/`end`.
import type { Session } from '../../transport/protocol/api.js';
import { creditCount, credits, orDash, relativeTime, seconds } from './format.js';
import { renderFields, renderTable } from './table.js';

export function sessionTable(sessions: readonly Session[], now = Date.now()): string {
  const withReason = sessions.some((s) => s.end_reason);
  // A HOST column once any session lives on a remote host: `local` for this machine's boards.
  const withHost = sessions.some((s) => s.host);
  const headers = ['id', ...(withHost ? ['host'] : []), 'type', 'board', 'state', 'created', 'credits', ...(withReason ? ['end reason'] : [])];
  const rows = sessions.map((s) => [
    s.id,
    ...(withHost ? [s.host ?? 'local'] : []),
    s.board_type,
    orDash(s.board_id),
    s.state,
    relativeTime(s.created_at, now),
    credits(s.credits_used),
    ...(withReason ? [orDash(s.end_reason)] : []),
  ]);
  return renderTable(headers, rows);
}

/** What a session is doing now, in a few words. */
export function stateLine(s: Session, now = Date.now()): string {
  switch (s.state) {
    case 'idle':
      return s.idle_deadline ? `idle (ends ${relativeTime(s.idle_deadline, now)} unless a client connects)` : 'idle';
    case 'ended':
      return `ended (${orDash(s.end_reason)}) ${relativeTime(s.ended_at, now)}`;
    default:
      return s.link?.state === 'reconnecting' ? `${s.state}, reconnecting to ${s.host} until ${relativeTime(s.link.deadline, now)}` : s.state;
  }
}

/** The short block `session create` prints; `full` adds what `session show` needs. */
export function sessionDetail(s: Session, now = Date.now(), full = false): string {
  const fields: [string, string][] = [
    ['id', s.id],
    ['board', `${s.board_id ? `${s.board_id} (${s.board_type})` : s.board_type}${s.host ? ` on ${s.host}` : ''}`],
    ['state', stateLine(s, now)],
    ['idle timeout', seconds(s.idle_timeout_s)],
    ['ws_url', orDash(s.ws_url)],
  ];
  if (full) {
    fields.push(
      ['created', relativeTime(s.created_at, now)],
      ['started', relativeTime(s.started_at, now)],
      ['credits', `${credits(s.credits_used)} used at ${credits(s.rate_credits_per_min)}/min${s.max_credits ? `, max ${credits(s.max_credits)}` : ''}`],
    );
    if (s.expires_at) fields.push(['expires', relativeTime(s.expires_at, now)]);
    const meta = Object.entries(s.metadata ?? {});
    if (meta.length > 0) fields.push(['metadata', meta.map(([k, v]) => `${k}=${v}`).join(', ')]);
  }
  return renderFields(fields);
}

/** One line after `session end`. */
export function endedLine(s: Session): string {
  return `${s.id} ended (${orDash(s.end_reason)}); ${creditCount(s.credits_used)} used.\n`;
}
