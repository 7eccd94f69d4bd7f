// Session operations behind `fbay session …`: create (and wait for a board), find the default session, end.
import { formatDuration } from '../../shared/duration.js';
import { UserError } from '../../shared/user-error.js';
import type { CreateSessionRequest, Session, SessionList } from '../../transport/protocol/api.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { DaemonClient } from '../client/daemon-client.js';

const sessionPath = (id: string) => `/v1/sessions/${encodeURIComponent(id)}`;

/** Allocation without --wait opens a port: it takes well under this. */
const ALLOCATION_GRACE_MS = 10_000;

export async function listSessions(client: DaemonClient, all = false): Promise<SessionList> {
  return client.get<SessionList>(all ? '/v1/sessions?all=1' : '/v1/sessions');
}

export async function getSession(client: DaemonClient, id: string): Promise<Session> {
  return client.get<Session>(sessionPath(id));
}

export async function endSession(client: DaemonClient, id: string): Promise<Session> {
  return client.delete<Session>(sessionPath(id));
}

/** Ends every live session of the account; returns them as ended. */
export async function endAllSessions(client: DaemonClient): Promise<Session[]> {
  const { sessions } = await listSessions(client);
  return Promise.all(sessions.map((s) => endSession(client, s.id)));
}

/** The ID given, or the account's single live session; none → exit 4, several → exit 2 naming them. */
export async function resolveSessionId(client: DaemonClient, given: string | undefined): Promise<string> {
  if (given) return given;
  const { sessions } = await listSessions(client);
  if (sessions.length === 1) return sessions[0]!.id;
  if (sessions.length === 0) {
    throw new UserError('There is no live session.', {
      exit: EXIT.not_found,
      code: 'not_found',
      next: 'Create one with `fbay session create --board virtual`, or pass an ID (see `fbay session list --all`).',
    });
  }
  const names = sessions.map((s) => `${s.id} (${s.board_type}, ${s.state})`).join(', ');
  throw new UserError(`There are ${sessions.length} live sessions; say which one: ${names}.`, {
    exit: EXIT.usage,
    code: 'ambiguous_session',
    next: `For example: fbay session show ${sessions[0]!.id}`,
  });
}

export interface CreateOptions {
  /** --wait: how long the daemon may queue for a board. */
  waitMs: number | null;
  signal?: AbortSignal;
}

/**
 * Creates a session and, when it is still looking for a board, waits until it is usable. The idempotency key makes an
 * internal retry (e.g. after starting the daemon) safe; Ctrl-C during the wait ends the half-made session.
 */
export async function createSession(client: DaemonClient, request: CreateSessionRequest, options: CreateOptions): Promise<Session> {
  // Loaded here, not at the top: `session list` and friends share this module and should not pay for them.
  const [{ randomUUID }, { waitForSession }] = await Promise.all([import('node:crypto'), import('./wait-for-session.js')]);
  const session = await client.post<Session>('/v1/sessions', request, { 'idempotency-key': randomUUID() });
  if (session.state !== 'pending' && session.state !== 'allocating') return session;
  const waitMs = (options.waitMs ?? 0) + ALLOCATION_GRACE_MS;
  try {
    const outcome = await waitForSession(client, session.id, (s) => s.state === 'idle' || s.state === 'active', {
      timeoutMs: waitMs,
      signal: options.signal,
      goal: 'to get a board',
    });
    if (outcome.reached) return outcome.session;
    throw notAllocated(outcome.session, options.waitMs);
  } catch (err) {
    if (options.signal?.aborted || (err instanceof UserError && err.exit === EXIT.timeout && err.code === 'timeout')) {
      // Not through `client`: after Ctrl-C its requests abort at once, and the queued session would be left behind.
      await endSession(client.uninterruptible(), session.id).catch(() => undefined);
    }
    throw err;
  }
}

function notAllocated(session: Session, waitMs: number | null): UserError {
  const board = session.board_type ?? session.board_id;
  if (session.end_reason === 'allocation_failed') {
    const within = waitMs === null ? '' : ` within ${formatDuration(waitMs)}`;
    return new UserError(`No ${board} board became free${within}; session ${session.id} ended (allocation_failed).`, {
      exit: EXIT.timeout,
      code: 'allocation_failed',
      next: 'Wait longer with --wait, or see who holds the boards with `fbay boards`.',
    });
  }
  return new UserError(`Session ${session.id} ended (${session.end_reason ?? 'unknown reason'}) before it got a board.`, {
    code: 'session_ended',
    next: 'See `fbay daemon logs`.',
  });
}
