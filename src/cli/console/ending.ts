// How the console ends: the words for why, the final credits, and the exit code each end reason maps to (README).
import { UserError } from '../../shared/user-error.js';
import type { EndReason, Session } from '../../transport/protocol/api.js';
import { EXIT, type ExitCode } from '../../transport/protocol/errors.js';
import { creditCount } from '../output/format.js';

/**
 * A session that ends while the console is attached: 0 when a user ended it (`e`, or `fbay session end`); otherwise
 * the code of the matching error class, so a script can tell an empty balance (6) or a time cap (7) from a lost
 * board (1) or a daemon that went away (3).
 */
export const END_EXIT: Record<EndReason, ExitCode> = {
  user_ended: EXIT.ok,
  credits_exhausted: EXIT.payment,
  max_duration: EXIT.limit,
  idle_timeout: EXIT.error,
  board_lost: EXIT.error,
  allocation_failed: EXIT.error,
  host_shutdown: EXIT.daemon_unavailable,
  upstream_lost: EXIT.daemon_unavailable,
  host_lost: EXIT.daemon_unavailable,
};

const WHY: Record<EndReason, string> = {
  user_ended: 'it was ended',
  credits_exhausted: 'the account ran out of credits',
  max_duration: 'it reached its time cap',
  idle_timeout: 'no client was attached for its idle timeout',
  board_lost: 'the board was unplugged and did not come back',
  allocation_failed: 'no board could be allocated',
  host_shutdown: 'the fbay daemon was stopped',
  host_lost: 'its board host stopped answering the coordinator',
  upstream_lost: 'the remote host could not be reached',
};

const NEXT: Partial<Record<EndReason, string>> = {
  credits_exhausted: 'See `fbay account`; add credits before the next session.',
  max_duration: 'Start a new session with `fbay session create`; see `fbay account` for the cap.',
  board_lost: 'Check the cable, then `fbay boards` and `fbay session create`.',
  host_shutdown: 'Start it again with `fbay daemon start`.',
};

export function endedSummary(s: Session): string {
  const reason = s.end_reason ?? 'unknown reason';
  const why = s.end_reason ? `: ${WHY[s.end_reason]}` : '';
  return `Session ${s.id} ended (${reason})${why}; ${creditCount(s.credits_used)} used.`;
}

/** The outcome for a session that ended while attached: a line to print with exit 0, or the error to exit with. */
export function endedWhileAttached(s: Session): { exit: 0; message: string } | UserError {
  const exit = s.end_reason ? END_EXIT[s.end_reason] : EXIT.error;
  if (exit === EXIT.ok) return { exit: 0, message: endedSummary(s) };
  const next = (s.end_reason && NEXT[s.end_reason]) ?? `Its transcript stays readable: fbay serial cat ${s.id}`;
  return new UserError(endedSummary(s), { exit, code: 'session_ended', next });
}

/** Attaching to a session that has already ended: exit 4 with its end reason. */
export function alreadyEnded(s: Session): UserError {
  return new UserError(`Session ${s.id} has ended (${s.end_reason ?? 'unknown reason'}); there is nothing to attach to.`, {
    exit: EXIT.not_found,
    code: 'session_ended',
    next: `Its transcript stays readable with \`fbay serial cat ${s.id}\`; start a new session with \`fbay session create --board TYPE\`.`,
  });
}
