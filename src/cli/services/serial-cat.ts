// `fbay serial cat`: the transcript from an offset, and with --follow the live output until the session ends — over
// the reconnecting link, so it carries on across a daemon restart.
import type { DaemonClient } from '../client/daemon-client.js';
import { followSession } from './serial-follow.js';
import { currentOffset, readLog } from './serial-log.js';
import type { ByteSink } from './serial-output.js';
import { targetSession } from './serial-session.js';
import { notFoundAsOtherKind } from './other-kind.js';
import { resolveSessionId } from './sessions.js';

export interface CatOptions {
  /** Output offset to start from; absent: 0, or with --follow live output only. */
  since?: number | undefined;
  follow: boolean;
  sink: ByteSink;
  /** One line for stderr: lost bytes, warnings, reconnects, a session that had already ended. */
  warn: (line: string) => void;
  signal?: AbortSignal | undefined;
  /** Resolves when nobody reads stdout any more: following stops quietly. */
  outputClosed?: Promise<void> | undefined;
}

export async function catSerial(client: DaemonClient, id: string | undefined, options: CatOptions): Promise<void> {
  if (!options.follow) {
    const target = await resolveSessionId(client, id, 'fbay serial cat ID');
    await readLog(client, target, options.since ?? 0, options.sink).catch(async (err: unknown) => {
      throw await notFoundAsOtherKind(client, target, 'board', err);
    });
    return;
  }
  const session = await targetSession(client, id, 'fbay serial cat ID --follow');
  if (session.state === 'ended') {
    // Nothing live will come: what was asked for of the transcript is all there is.
    if (options.since !== undefined) await readLog(client, session.id, options.since, options.sink);
    options.warn(`session ${session.id} has ended (${session.end_reason ?? 'unknown reason'}); nothing more will come.`);
    return;
  }
  const { warn } = options;
  const since = options.since ?? (await currentOffset(client, session.id));
  const following = await followSession(client, session, {
    since,
    onData: options.sink,
    onGap: (n) => warn(`${n} bytes of output were lost here (this reader fell behind).`),
    onMessage: (m) => {
      if (m.type === 'warning') warn(`session ${session.id}: ${m.kind.replace('_', ' ')}, ${m.seconds_left}s left.`);
      else if (m.type === 'error') warn(m.error);
    },
    warn,
    signal: options.signal,
  });
  void options.outputClosed?.then(() => following.stop());
  await following.done;
}
