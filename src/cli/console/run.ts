// `fbay console [ID]`: finds the session, then runs the TUI in a terminal or the byte pipe when stdin or stdout is not
// one. Returns the line to print on a clean exit; anything else is a UserError with its exit code.
import { createInterface } from 'node:readline/promises';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';
import { daemonClient } from '../client/connect.js';
import { interrupted } from '../client/daemon-errors.js';
import type { CliContext } from '../context.js';
import { currentOffset } from '../services/serial-log.js';
import { stdoutReaderGone } from '../output/pipe-readers.js';
import { byteSink } from '../services/serial-output.js';
import { sessionToAttach } from './attach.js';

export interface ConsoleFlags {
  id?: string | undefined;
  since?: string | undefined;
  replay?: boolean | undefined;
}

export interface Stdio {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

const processStdio = (): Stdio => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

export async function runConsole(ctx: CliContext, flags: ConsoleFlags, stdio: Stdio = processStdio()): Promise<string> {
  const tty = Boolean(stdio.stdin.isTTY && stdio.stdout.isTTY);
  const since = await startOffset(flags);
  // Loaded while the daemon answers the questions below: the WebSocket client is most of the start-up time.
  const modes = tty ? Promise.all([import('./tui.js'), import('./terminal.js')]) : import('./pipe.js');
  modes.catch(() => undefined); // a failure shows where the module is used
  const client = daemonClient(ctx);
  const say = (line: string) => ctx.io.err(`${line}\n`);
  const session = await sessionToAttach(client, {
    given: flags.id,
    interactive: tty,
    ask: (question) => askLine(stdio, question, ctx.signal),
    say,
    signal: ctx.signal,
  });
  const from = since ?? (await currentOffset(client, session.id));
  // From here on a daemon that goes away is reported (after the reconnect window), never replaced by a new one.
  const quiet = daemonClient(ctx, { autoStart: false });
  if (!tty) {
    const { runPipe } = (await modes) as typeof import('./pipe.js');
    return runPipe({
      client: quiet,
      session,
      since: from,
      input: stdio.stdin,
      sink: byteSink(ctx.io),
      warn: (line) => say(`warning: ${line}`),
      signal: ctx.signal,
      outputClosed: stdoutReaderGone(stdio.stdout),
    });
  }
  const [{ runTui }, { processTerminal }] = (await modes) as [typeof import('./tui.js'), typeof import('./terminal.js')];
  // SIGTERM and SIGHUP (the terminal closed) leave like `q` does, so the terminal is given back in order.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGTERM', onSignal).on('SIGHUP', onSignal);
  ctx.signal.addEventListener('abort', onSignal, { once: true });
  try {
    const message = await runTui({ terminal: processTerminal(stdio.stdin, stdio.stdout), client: quiet, session, since: from, signal: stop.signal });
    if (stop.signal.aborted) {
      say(message);
      throw interrupted();
    }
    return message;
  } finally {
    process.off('SIGTERM', onSignal).off('SIGHUP', onSignal);
    ctx.signal.removeEventListener('abort', onSignal);
  }
}

async function startOffset(flags: ConsoleFlags): Promise<number | undefined> {
  if (flags.since !== undefined && flags.replay) {
    throw new UserError('Give --since N or --replay, not both.', { exit: EXIT.usage, code: 'usage' });
  }
  if (flags.replay) return 0;
  if (flags.since === undefined) return undefined;
  const { parseOffset } = await import('../services/serial-input.js');
  return parseOffset(flags.since);
}

/** One line from the user at the terminal, before the TUI starts; null on Ctrl-C or Ctrl-D. */
async function askLine(stdio: Stdio, question: string, signal: AbortSignal): Promise<string | null> {
  const rl = createInterface({ input: stdio.stdin, output: stdio.stderr });
  const closed = new Promise<null>((resolve) => rl.once('close', () => resolve(null)));
  rl.on('SIGINT', () => rl.close()); // the terminal is in raw mode while asking: Ctrl-C arrives here, not as a signal
  try {
    return await Promise.race([rl.question(question, { signal }), closed]);
  } catch {
    return null;
  } finally {
    rl.close();
  }
}
