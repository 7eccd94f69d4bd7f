// `fbay serial cat`: the transcript from an offset, and with --follow the live output until the session ends.
import type { DaemonClient } from '../client/daemon-client.js';
import { interrupted } from '../client/daemon-errors.js';
import type { SerialConnection } from '../client/serial-socket.js';
import { lostConnection } from './serial-expect.js';
import { readLog } from './serial-log.js';
import type { ByteSink } from './serial-output.js';
import { openSerial, targetSession } from './serial-session.js';
import { resolveSessionId } from './sessions.js';

export interface CatOptions {
  /** Output offset to start from; absent: 0, or with --follow live output only. */
  since?: number | undefined;
  follow: boolean;
  sink: ByteSink;
  /** One line for stderr: lost bytes, warnings, a session that had already ended. */
  warn: (line: string) => void;
  signal?: AbortSignal | undefined;
}

export async function catSerial(client: DaemonClient, id: string | undefined, options: CatOptions): Promise<void> {
  if (!options.follow) {
    await readLog(client, await resolveSessionId(client, id), options.since ?? 0, options.sink);
    return;
  }
  const session = await targetSession(client, id);
  if (session.state === 'ended') {
    // Nothing live will come: what was asked for of the transcript is all there is.
    if (options.since !== undefined) await readLog(client, session.id, options.since, options.sink);
    options.warn(`session ${session.id} has ended (${session.end_reason ?? 'unknown reason'}); nothing more will come.`);
    return;
  }
  const connection = await openSerial(session, { since: options.since, signal: options.signal });
  await follow(connection, session.id, options);
}

/** Copies output to the sink until the session ends (resolves), the line closes or Ctrl-C (rejects). */
export function follow(connection: SerialConnection, id: string, { sink, warn, signal }: CatOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      signal?.removeEventListener('abort', onAbort);
      connection.destroy();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => finish(interrupted());
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    connection.listen((event) => {
      if (done) return;
      if (event.type === 'data') return sink(event.chunk);
      if (event.type === 'closed') return finish(lostConnection(event.code, event.reason));
      const m = event.message;
      if (m.type === 'ended') finish();
      else if (m.type === 'gap') warn(`${m.lost_bytes} bytes of output were lost here (this reader fell behind).`);
      else if (m.type === 'warning') warn(`session ${id}: ${m.kind.replace('_', ' ')}, ${m.seconds_left}s left.`);
      else if (m.type === 'error') warn(m.error);
    });
  });
}
