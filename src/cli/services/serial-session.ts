// The session a serial command talks to: the ID given or the single live one, and its serial WebSocket.
import { UserError } from '../../shared/user-error.js';
import type { Session } from '../../transport/protocol/api.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { connectSerial, type SerialConnection } from '../client/serial-socket.js';
import { getSession, resolveSessionId } from './sessions.js';

/** `usage`: the command as a hint would show it, with ID where the id goes. */
export async function targetSession(client: DaemonClient, given: string | undefined, usage?: string): Promise<Session> {
  return getSession(client, await resolveSessionId(client, given, usage));
}

/** The session's ws_url, or why it has none: ended (exit 4, as the daemon answers) or still waiting for a board (exit 5). */
export function wsUrlOf(session: Session): string {
  if (session.ws_url) return session.ws_url;
  if (session.state === 'ended') {
    throw new UserError(`Session ${session.id} has ended (${session.end_reason ?? 'unknown reason'}); its serial line is closed.`, {
      exit: EXIT.not_found,
      code: 'session_ended',
      next: `Its transcript stays readable: fbay serial cat ${session.id}`,
    });
  }
  throw new UserError(`Session ${session.id} is ${session.state}: it has no board yet.`, {
    exit: EXIT.conflict,
    code: 'session_conflict',
    next: `Wait for one with \`fbay session wait ${session.id} --state idle\`.`,
  });
}

export function openSerial(session: Session, options: { since?: number | undefined; signal?: AbortSignal | undefined }): Promise<SerialConnection> {
  return connectSerial(wsUrlOf(session), options);
}
