// `fbay console` when stdin or stdout is not a terminal: a plain byte pipe (stdin → board, board → stdout) with no
// TUI, that reconnects like the TUI does and tells its notices on stderr. The end of stdin ends nothing: output keeps
// coming until the session ends, the reader goes away, or Ctrl-C.
import { systemClock, type Clock } from '../../shared/clock.js';
import type { Session } from '../../transport/protocol/api.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { interrupted } from '../client/daemon-errors.js';
import type { ByteSink } from '../services/serial-output.js';
import { linkOutcome } from './outcome.js';
import { PipeNotices } from './pipe-notices.js';
import { SerialLink, type LinkOptions, type LinkOutcome } from '../client/serial-link.js';

export interface PipeOptions {
  client: DaemonClient;
  session: Session;
  since: number;
  input: NodeJS.ReadableStream;
  sink: ByteSink;
  /** One line for stderr: lost bytes, warnings, reconnects. */
  warn: (line: string) => void;
  signal?: AbortSignal | undefined;
  /** Resolves when stdout's reader has gone (EPIPE, or no process reads the pipe any more): the pipe ends quietly. */
  outputClosed?: Promise<void>;
  clock?: Clock;
  /** Test knobs for the serial link's reconnect. */
  link?: Pick<LinkOptions, 'initialDelayMs' | 'maxDelayMs' | 'pingIntervalMs' | 'deadAfterMs'>;
}

const INPUT_HIGH_WATER = 256 * 1024;

export async function runPipe(options: PipeOptions): Promise<string> {
  const { input, sink, warn, signal } = options;
  const clock = options.clock ?? systemClock;
  const notices = new PipeNotices(options.session, warn, clock);
  let finish!: (outcome: LinkOutcome | { kind: 'interrupted' }) => void;
  const finished = new Promise<LinkOutcome | { kind: 'interrupted' }>((resolve) => (finish = resolve));
  let paused = false;
  const link = new SerialLink(
    { wsUrl: options.session.ws_url!, since: options.since, windowMs: () => notices.session.idle_timeout_s * 1000, clock, ...options.link },
    {
      data: sink,
      message: (m) => notices.message(m),
      state: (state, deadline) => notices.link(state, deadline),
      done: (outcome) => finish(outcome),
      drain: () => {
        if (!paused) return;
        paused = false;
        input.resume();
      },
    },
  );
  await link.start(signal);

  const onData = (chunk: Buffer) => {
    const dropped = link.send(chunk) ? 0 : link.takeDropped();
    if (dropped > 0) warn(`not connected: ${dropped} bytes of input dropped (at most 64 KiB wait for the reconnect).`);
    if (link.queued > INPUT_HIGH_WATER && link.state === 'open' && !paused) {
      paused = true;
      input.pause();
    }
  };
  const onAbort = () => finish({ kind: 'interrupted' });
  input.on('data', onData);
  input.on('error', () => undefined); // a closed stdin is only the end of input
  signal?.addEventListener('abort', onAbort, { once: true });
  void options.outputClosed?.then(() => finish({ kind: 'closed' }));
  try {
    const outcome = await finished;
    if (outcome.kind === 'interrupted') throw interrupted();
    return await linkOutcome(outcome, notices.session, options.client);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    input.off('data', onData);
    input.pause();
    await link.close();
  }
}
