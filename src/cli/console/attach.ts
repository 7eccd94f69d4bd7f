// Which session `fbay console [ID]` attaches to: the one named, else the account's live one; with none, a terminal
// user is offered a new one, a script gets exit 4.
import { UserError } from '../../shared/user-error.js';
import type { BoardList, Session } from '../../transport/protocol/api.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { createSession, getSession, listSessions, resolveSessionId } from '../services/sessions.js';
import { waitForSession } from '../services/wait-for-session.js';
import { alreadyEnded } from './ending.js';

export interface AttachOptions {
  given: string | undefined;
  /** A person is at a terminal: offering to create a session makes sense. */
  interactive: boolean;
  /** Asks one question; resolves with the answer line, or null when the user gave none (EOF, Ctrl-C). */
  ask: (question: string) => Promise<string | null>;
  /** One line for the user (stderr). */
  say: (line: string) => void;
  signal?: AbortSignal | undefined;
}

export async function sessionToAttach(client: DaemonClient, options: AttachOptions): Promise<Session> {
  let session: Session;
  if (options.given) session = await getSession(client, options.given);
  else {
    const { sessions } = await listSessions(client);
    if (sessions.length === 0) return offerSession(client, options);
    session = await getSession(client, await resolveSessionId(client, undefined));
  }
  if (session.state === 'ended') throw alreadyEnded(session);
  if (session.state === 'pending' || session.state === 'allocating') {
    options.say(`Session ${session.id} is ${session.state}: waiting for its board (Ctrl-C to stop waiting)…`);
    const outcome = await waitForSession(client, session.id, (s) => s.state === 'idle' || s.state === 'active', {
      signal: options.signal,
      goal: 'to get a board',
    });
    if (!outcome.reached) throw alreadyEnded(outcome.session);
    session = outcome.session;
  }
  return session;
}

async function offerSession(client: DaemonClient, options: AttachOptions): Promise<Session> {
  const none = (next: string) => new UserError('There is no live session to attach to.', { exit: EXIT.not_found, code: 'not_found', next });
  if (!options.interactive) throw none('Create one first: `fbay session create --board virtual`, or pass an ID.');
  const { boards } = await client.get<BoardList>('/v1/boards');
  const types = [...new Set(boards.filter((b) => b.state === 'available').map((b) => b.type))];
  if (types.length === 0) throw none('No board is free either; see `fbay boards`, or queue with `fbay session create --board TYPE --wait 5m`.');
  const fallback = types.includes('virtual') ? 'virtual' : types[0]!;
  const answer = await options.ask(`No live session. Reserve a board? Free types: ${types.join(', ')}. Type [${fallback}], or n to cancel: `);
  const choice = answer?.trim() ?? 'n';
  if (/^(n|no)$/i.test(choice)) throw none('Create one with `fbay session create --board TYPE` when you need it.');
  const session = await createSession(client, { board_type: choice || fallback }, { waitMs: null, signal: options.signal });
  options.say(`Reserved ${session.id} (${session.board_id ?? session.board_type}).`);
  return session;
}
