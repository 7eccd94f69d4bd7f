// Waits for a session to reach a state: subscribe to its events first, then read its state, so no change slips between.
import { formatDuration } from '../../shared/duration.js';
import { UserError } from '../../shared/user-error.js';
import type { Session } from '../../transport/protocol/api.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { interrupted } from '../client/daemon-errors.js';
import { subscribeEvents } from '../client/events.js';

export interface WaitOutcome {
  /** false: the session ended before it got there. */
  reached: boolean;
  session: Session;
}

export interface WaitOptions {
  /** No timeout when absent. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** For messages: what is being waited for, e.g. "to be active". */
  goal: string;
}

export async function waitForSession(
  client: DaemonClient,
  id: string,
  reached: (session: Session) => boolean,
  { timeoutMs, signal, goal }: WaitOptions,
): Promise<WaitOutcome> {
  if (signal?.aborted) throw interrupted();
  const stream = await subscribeEvents(client, id);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await new Promise<WaitOutcome>((resolve, reject) => {
      let last: Session | null = null;
      const check = (session: Session) => {
        if (session.id !== id) return;
        last = session;
        if (reached(session)) resolve({ reached: true, session });
        else if (session.state === 'ended') resolve({ reached: false, session });
      };
      stream.onEvent((event) => {
        if (event.type === 'state') check(event.session);
        else if (event.type === 'ended') {
          check(event.session ?? ({ ...(last ?? { id }), state: 'ended', end_reason: event.reason } as Session));
        }
      });
      stream.onEnd((err) =>
        reject(
          new UserError(`The daemon closed the event stream while waiting for ${id} ${goal}.`, {
            exit: EXIT.daemon_unavailable,
            next: 'See `fbay daemon status` and `fbay daemon logs`.',
            ...(err ? { cause: err } : {}),
          }),
        ),
      );
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const now = last ? ` (it is ${(last as Session).state})` : '';
          reject(
            new UserError(`Timed out after ${formatDuration(timeoutMs)} waiting for ${id} ${goal}${now}.`, {
              exit: EXIT.timeout,
              code: 'timeout',
              next: 'Wait longer with --timeout, or see `fbay session show`.',
            }),
          );
        }, timeoutMs);
      }
      onAbort = () => reject(interrupted());
      // Ctrl-C may have come while we were subscribing.
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      client.get<Session>(`/v1/sessions/${encodeURIComponent(id)}`).then(check, reject);
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    stream.close();
  }
}
