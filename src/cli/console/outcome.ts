// What the end of the serial link means for the user, in the TUI and in pipe mode alike.
import { UserError } from '../../shared/user-error.js';
import type { Session } from '../../transport/protocol/api.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { getSession } from '../services/sessions.js';
import { endedWhileAttached } from './ending.js';
import type { LinkOutcome } from '../client/serial-link.js';

/** Resolves with the line to print (exit 0), or rejects with the UserError to exit with. */
export async function linkOutcome(outcome: LinkOutcome, last: Session, client: DaemonClient): Promise<string> {
  if (outcome.kind === 'closed') return '';
  if (outcome.kind === 'ended') return settle(endedWhileAttached(last));
  // The daemon came back but refused us: the session ended while we were away. Say why, as if we had seen it.
  if (outcome.error.exit === EXIT.not_found) {
    const now = await getSession(client, last.id).catch(() => null);
    if (now?.state === 'ended') return settle(endedWhileAttached(now));
  }
  throw outcome.error;
}

function settle(result: { exit: 0; message: string } | UserError): string {
  if (result instanceof UserError) throw result;
  return result.message;
}
