// The errors a talk with the daemon can end in, each with the next step a user can take (STYLE.md §8).
import { UserError } from '../../shared/user-error.js';
import { VERSION } from '../../shared/version.js';
import { EXIT, exitCodeFor } from '../../transport/protocol/errors.js';

/** Connect errors that mean "no daemon listens here" (and so a request never reached one). */
const NOT_LISTENING = new Set(['ENOENT', 'ECONNREFUSED']);

export function isNotListening(err: unknown): boolean {
  return NOT_LISTENING.has((err as NodeJS.ErrnoException | undefined)?.code ?? '');
}

export function daemonNotRunning(socket: string, cause?: unknown): UserError {
  return new UserError(`The fbay daemon is not running (nothing answers on ${socket}).`, {
    exit: EXIT.daemon_unavailable,
    code: 'daemon_not_running',
    next: 'Start it with `fbay daemon start`.',
    cause,
  });
}

export function lostDaemon(socket: string, cause: unknown): UserError {
  const why = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
  return new UserError(`Lost the connection to the fbay daemon on ${socket} (${why}).`, {
    exit: EXIT.daemon_unavailable,
    code: 'daemon_unavailable',
    next: 'See `fbay daemon logs`, or restart it with `fbay daemon restart`.',
    cause,
  });
}

export function versionMismatch(daemonVersion: string | undefined): UserError {
  return new UserError(`fbay CLI ${VERSION} is talking to daemon ${daemonVersion ?? '(unknown version)'}.`, {
    code: 'version_mismatch',
    next: 'Run `fbay daemon restart` to start the daemon of this version (live sessions are kept).',
  });
}

export function interrupted(): UserError {
  return new UserError('interrupted', { exit: EXIT.interrupted, code: 'interrupted' });
}

const HINTS: Record<string, string> = {
  invalid_request: 'Check the values you passed; add --help to the command to see its options.',
  unauthorized: 'Check the API key of the remote you use (`fbay remote list`); replace it with `fbay remote add NAME URL --key KEY --force`.',
  forbidden: 'This account may not do that; see `fbay account`.',
  payment_required: 'The account is out of credits: see `fbay account`.',
  not_found: 'See what exists with `fbay session list --all` and `fbay boards`.',
  session_conflict: 'End the live session first (`fbay session end`), or see `fbay session list`.',
  idempotency_mismatch: 'An idempotency key names one request: give a new --idempotency-key for other flags, or the same flags to get the session it made.',
  concurrency_limit: 'End a live session (`fbay session list`) or try again later.',
  quota_exceeded: 'The plan’s quota is used up; see `fbay account`.',
  rate_limited: 'Slow down and try again in a moment.',
  no_board_available: 'Queue for one with --wait 5m, or see `fbay boards`.',
  upstream_unavailable: 'See `fbay daemon logs` for what happened on the way to the remote host.',
  internal_error: 'This is a bug in the fbay daemon; see `fbay daemon logs`.',
};

/** An API error response → UserError: the daemon's sentence verbatim, the exit code its `code` maps to. */
export function fromErrorResponse(status: number, body: unknown, retryAfter?: string): UserError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const code = typeof b.code === 'string' ? b.code : 'error';
  const message = typeof b.error === 'string' ? b.error : `The fbay daemon answered HTTP ${status}.`;
  let next = typeof b.next === 'string' ? b.next : HINTS[code];
  if (retryAfter && /^\d+$/.test(retryAfter)) next = `${next ?? 'Try again'} (retry after ${retryAfter}s)`;
  return new UserError(message, { exit: exitCodeFor(code), code, ...(next ? { next } : {}) });
}
