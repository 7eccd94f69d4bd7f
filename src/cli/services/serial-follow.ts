// Reads a session's output from an offset on, over the reconnecting serial link, until the session ends or the
// caller stops: what `serial cat --follow` and `serial expect` stand on, so both ride out `fbay daemon restart`.
import { systemClock, type Clock } from '../../shared/clock.js';
import type { Session } from '../../transport/protocol/api.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { ServerMessage } from '../../transport/protocol/ws-messages.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { interrupted } from '../client/daemon-errors.js';
import { SerialLink, type LinkOptions, type LinkOutcome } from '../client/serial-link.js';
import { readLog } from './serial-log.js';
import { wsUrlOf } from './serial-session.js';
import { getSession } from './sessions.js';

export interface FollowOptions {
  since: number;
  onData: (chunk: Buffer) => void;
  /** Bytes the daemon could not deliver (a `gap`). */
  onGap?: (lostBytes: number) => void;
  /** Warnings and errors the daemon sends on the line. */
  onMessage?: (message: ServerMessage) => void;
  /** One line for stderr: reconnecting, reconnected. */
  warn?: (line: string) => void;
  signal?: AbortSignal | undefined;
  clock?: Clock;
  /** Test knobs for the link's reconnect. */
  link?: Pick<LinkOptions, 'initialDelayMs' | 'maxDelayMs' | 'pingIntervalMs' | 'deadAfterMs'>;
}

export type FollowEnd = { kind: 'ended'; reason: string; session: Session } | { kind: 'stopped' };

export interface Following {
  /** Resolves when the session ends or stop() is called; rejects when the daemon stays away (exit 3) or on Ctrl-C. */
  readonly done: Promise<FollowEnd>;
  /** Offset of the next output byte. */
  readonly offset: number;
  stop(): Promise<void>;
}

/** Starts following; resolves once the line is open (its refusal rejects, as a connect would). */
export async function followSession(client: DaemonClient, session: Session, options: FollowOptions): Promise<Following> {
  const clock = options.clock ?? systemClock;
  let last = session;
  let reason: string | null = null;
  let settle!: (end: FollowEnd | Error) => void;
  const done = new Promise<FollowEnd>((resolve, reject) => {
    settle = (end) => (end instanceof Error ? reject(end) : resolve(end));
  });
  done.catch(() => undefined); // the caller awaits it; an early failure must not be unhandled meanwhile
  let opened = false;
  const link: SerialLink = new SerialLink(
    { wsUrl: wsUrlOf(session), since: options.since, windowMs: () => last.idle_timeout_s * 1000, clock, ...options.link },
    {
      data: (chunk) => options.onData(chunk),
      message: (m) => {
        if (m.type === 'state') {
          const { type: _type, ...s } = m;
          last = s;
        } else if (m.type === 'ended') {
          last = m.session;
          reason = m.reason;
        }
        else if (m.type === 'gap') options.onGap?.(m.lost_bytes);
        options.onMessage?.(m);
      },
      state: (state, deadline) => {
        if (state === 'reconnecting' && deadline !== null) {
          options.warn?.(`lost the daemon; reconnecting for up to ${Math.max(0, Math.round((deadline - clock.now()) / 1000))}s…`);
        } else if (state === 'open' && opened) options.warn?.('reconnected; output resumes where it stopped.');
        if (state === 'open') opened = true;
      },
      done: (outcome) => void settleLink(outcome).then(settle, settle),
    },
  );

  /** A reconnect the daemon refused: the session ended while we were away. Its transcript has what we missed. */
  const settleLink = async (outcome: LinkOutcome): Promise<FollowEnd> => {
    if (outcome.kind === 'closed') return { kind: 'stopped' };
    if (outcome.kind === 'ended') return { kind: 'ended', reason: reason ?? last.end_reason ?? 'unknown reason', session: last };
    if (outcome.error.exit !== EXIT.not_found) throw outcome.error;
    const now = await getSession(client, last.id).catch(() => null);
    if (now?.state !== 'ended') throw outcome.error;
    await readLog(client, now.id, link.offset, (chunk) => options.onData(Buffer.from(chunk)));
    return { kind: 'ended', reason: now.end_reason ?? 'unknown reason', session: now };
  };

  const signal = options.signal;
  await link.start(signal);
  const onAbort = () => {
    settle(interrupted());
    void link.close();
  };
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  void done.finally(() => signal?.removeEventListener('abort', onAbort)).catch(() => undefined);
  return {
    done,
    get offset() {
      return link.offset;
    },
    stop: () => link.close(),
  };
}
