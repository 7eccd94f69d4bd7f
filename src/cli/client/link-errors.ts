// Why a serial link ended without the session ending, as the error a user sees: the daemon stayed away past the
// window (exit 3), or it answered the reconnect with a refusal (the session is gone: exit 4).
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { ClosedReason, ReconnectError } from '../../transport/reconnecting-websocket.js';
import { daemonNotRunning, interrupted, isNotListening, lostDaemon } from './daemon-errors.js';

export function daemonGone(windowMs: number): UserError {
  return new UserError(`Lost the fbay daemon, and it did not come back within ${Math.round(windowMs / 1000)}s (the session's idle window).`, {
    exit: EXIT.daemon_unavailable,
    code: 'daemon_unavailable',
    next: 'See `fbay daemon status` and `fbay daemon logs`; the session has likely ended (idle_timeout).',
  });
}

/** The socket path in a `ws+unix://PATH:/…` URL (the URL itself otherwise), for messages. */
export function socketOf(wsUrl: string): string {
  return /^ws\+unix:\/\/([^:]*):/.exec(wsUrl)?.[1] ?? wsUrl;
}

/** The shared socket's end (`deadline`, `fatal`) → the error to exit with; `afterOpen`: it had been connected. */
export function refusedLink(wsUrl: string, reason: ClosedReason, err: ReconnectError | undefined, windowMs: number, afterOpen = false): UserError {
  const socket = socketOf(wsUrl);
  if (reason === 'stopped') return interrupted();
  if (reason === 'deadline') {
    if (afterOpen) return daemonGone(windowMs);
    return err && !isNotListening(err) ? lostDaemon(socket, err) : daemonNotRunning(socket, err);
  }
  const status = err?.status;
  const session = /\/sessions\/([^/?]+)\//.exec(wsUrl)?.[1] ?? 'the session';
  if (status === 404 || status === 410) {
    return new UserError(`The daemon no longer has session ${session} (it answered the serial line with HTTP ${status}).`, {
      exit: EXIT.not_found,
      code: 'not_found',
      next: `See \`fbay session show ${session}\`.`,
      cause: err,
    });
  }
  if (status === 409) {
    return new UserError(`Session ${session} has no open board to connect to (HTTP 409).`, {
      exit: EXIT.conflict,
      code: 'session_conflict',
      next: `See \`fbay session show ${session}\`.`,
      cause: err,
    });
  }
  return lostDaemon(socket, err ?? new Error('the daemon refused the serial line'));
}
