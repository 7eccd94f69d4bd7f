// `fbay console` when stdin or stdout is not a terminal: a plain byte pipe (stdin → board, board → stdout) with no
// TUI, that reconnects like the TUI does. The end of stdin ends nothing: output keeps coming until the session ends,
// the reader goes away, or Ctrl-C.
import type { Session } from '../../transport/protocol/api.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { interrupted } from '../client/daemon-errors.js';
import type { ByteSink } from '../services/serial-output.js';
import { linkOutcome } from './outcome.js';
import { SerialLink, type Connect, type LinkOutcome } from './serial-link.js';

export interface PipeOptions {
  client: DaemonClient;
  session: Session;
  since: number;
  input: NodeJS.ReadableStream;
  sink: ByteSink;
  /** One line for stderr: lost bytes, warnings, reconnects. */
  warn: (line: string) => void;
  signal?: AbortSignal | undefined;
  /** Resolves when stdout's reader has gone (EPIPE): the pipe ends quietly. */
  outputClosed?: Promise<void>;
  connect?: Connect;
}

const INPUT_HIGH_WATER = 256 * 1024;

export async function runPipe(options: PipeOptions): Promise<string> {
  const { input, sink, warn, signal } = options;
  let last = options.session;
  let finish!: (outcome: LinkOutcome | { kind: 'interrupted' }) => void;
  const finished = new Promise<LinkOutcome | { kind: 'interrupted' }>((resolve) => (finish = resolve));
  let paused = false;
  let started = false;
  const link = new SerialLink(
    { wsUrl: last.ws_url!, since: options.since, windowMs: () => last.idle_timeout_s * 1000, ...(options.connect ? { connect: options.connect } : {}) },
    {
      data: sink,
      message: (m) => {
        if (m.type === 'state') {
          const { type: _type, ...session } = m;
          last = session;
        } else if (m.type === 'ended') last = m.session;
        else if (m.type === 'gap') warn(`${m.lost_bytes} bytes of output were lost here (this reader fell behind).`);
        else if (m.type === 'warning') warn(`session ${last.id}: ${m.kind.replace('_', ' ')}, ${m.seconds_left}s left.`);
        else if (m.type === 'error') warn(m.error);
      },
      state: (state, deadline) => {
        if (state === 'reconnecting' && deadline !== null) warn(`lost the daemon; reconnecting for up to ${Math.round((deadline - Date.now()) / 1000)}s…`);
        else if (state === 'open' && started) warn('reconnected; output resumes where it stopped.');
      },
      done: (outcome) => finish(outcome),
      drain: () => {
        if (!paused) return;
        paused = false;
        input.resume();
      },
    },
  );
  await link.start(signal);
  started = true;

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
    return await linkOutcome(outcome, last, options.client);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    input.off('data', onData);
    input.pause();
    await link.close();
  }
}
