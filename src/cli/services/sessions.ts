// Session operations behind `fbay session …`: create (and wait for a board), find the default session, end.
import { formatDuration } from '../../shared/duration.js';
import { UserError } from '../../shared/user-error.js';
import type { CreateSessionRequest, Session, SessionKindName, SessionList } from '../../transport/protocol/api.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { DaemonClient } from '../client/daemon-client.js';
import type { PowerAction, PowerReply } from '../../transport/protocol/flash-api.js';

const sessionPath = (id: string) => `/v1/sessions/${encodeURIComponent(id)}`;

/** Allocation without --wait opens a port: it takes well under this. */
const ALLOCATION_GRACE_MS = 10_000;

/** The account's sessions of one kind; without `kind` the daemon lists board sessions. */
export async function listSessions(client: DaemonClient, all = false, kind?: SessionKindName): Promise<SessionList> {
  const query = new URLSearchParams({ ...(all ? { all: '1' } : {}), ...(kind ? { kind } : {}) }).toString();
  return client.get<SessionList>(query ? `/v1/sessions?${query}` : '/v1/sessions');
}

/** The board session; an id of another kind of session says so, with the command to use. */
export async function getSession(client: DaemonClient, id: string): Promise<Session> {
  const { notFoundAsOtherKind, wrongKind } = await import('./other-kind.js');
  const session = await client.get<Session>(sessionPath(id)).catch(async (err: unknown) => {
    throw await notFoundAsOtherKind(client, id, 'board', err);
  });
  if ((session as { kind?: string }).kind === 'browser') throw wrongKind(id, 'browser', 'board');
  return session;
}

/** PATCH /v1/sessions/{id}: a live session's new idle window or budget. */
export async function updateSession(client: DaemonClient, id: string, patch: { idle_timeout_s?: number; max_credits?: number | null }): Promise<Session> {
  return (await client.json<Session>('PATCH', `/v1/sessions/${encodeURIComponent(id)}`, patch)).body;
}

export async function endSession(client: DaemonClient, id: string): Promise<Session> {
  return client.delete<Session>(sessionPath(id)).catch(async (err: unknown) => {
    const { notFoundAsOtherKind } = await import('./other-kind.js');
    throw await notFoundAsOtherKind(client, id, 'board', err);
  });
}

export interface ResetResult {
  session_id: string;
  mode: 'hard' | 'bootloader';
  /** Where the reset's output (the boot banner) starts: `fbay serial expect --since OFFSET`. */
  offset: number;
}

/** Resets the session's board on the host (esptool's timing), into the bootloader when asked. */
export async function resetSession(client: DaemonClient, id: string, bootloader: boolean): Promise<ResetResult> {
  return client.post<ResetResult>(`${sessionPath(id)}/reset`, { mode: bootloader ? 'bootloader' : 'hard' }).catch(async (err: unknown) => {
    const { notFoundAsOtherKind } = await import('./other-kind.js');
    throw await notFoundAsOtherKind(client, id, 'board', err);
  });
}

/** Switches the session's board's power on its host. */
export async function powerSession(client: DaemonClient, id: string, action: PowerAction): Promise<PowerReply> {
  return client.post<PowerReply>(`${sessionPath(id)}/power`, { action }).catch(async (err: unknown) => {
    const { notFoundAsOtherKind } = await import('./other-kind.js');
    throw await notFoundAsOtherKind(client, id, 'board', err);
  });
}

/** Ends every live session of the account; returns them as ended. */
export async function endAllSessions(client: DaemonClient): Promise<Session[]> {
  const { sessions } = await listSessions(client);
  return Promise.all(sessions.map((s) => endSession(client, s.id)));
}

/**
 * The ID given, or the account's single live session; none → exit 4, several → exit 2 naming them. `usage` is the
 * command as the hint shows it, with ID where the id goes (e.g. "fbay serial send ID TEXT").
 */
export async function resolveSessionId(client: DaemonClient, given: string | undefined, usage = 'fbay session show ID'): Promise<string> {
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
  const names = sessions.map((s) => `${s.id} (${s.board_id ?? s.board_type}, ${s.state})`).join(', ');
  throw new UserError(`There are ${sessions.length} live sessions; say which one: ${names}.`, {
    exit: EXIT.usage,
    code: 'ambiguous_session',
    next: `Give its ID: \`${usage}\`, e.g. ${usage.replace('ID', sessions[0]!.id)}`,
  });
}

export interface CreateOptions {
  /** --wait: how long the daemon may queue for a board. */
  waitMs: number | null;
  /** --idempotency-key; absent, a fresh key. */
  idempotencyKey?: string | undefined;
  signal?: AbortSignal;
}

/**
 * Creates a session and, when it is still looking for a board, waits until it is usable. The idempotency key makes a
 * retry safe (the caller's, or the CLI's own after starting the daemon); Ctrl-C during the wait ends the half-made session.
 */
export async function createSession(client: DaemonClient, request: CreateSessionRequest, options: CreateOptions): Promise<Session> {
  // Loaded here, not at the top: `session list` and friends share this module and should not pay for them.
  const [{ idempotencyHeader }, { waitForSession }] = await Promise.all([import('./idempotency-key.js'), import('./wait-for-session.js')]);
  const session = await client.post<Session>('/v1/sessions', request, idempotencyHeader(options.idempotencyKey)).catch(async (err: unknown) => {
    const { explainNoBoard } = await import('./no-board.js');
    throw await explainNoBoard(client, request, err);
  });
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
