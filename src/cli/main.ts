// The `fbay` entry point (bin/fbay imports it): runs the CLI and is the only place that sets the exit code.
import { runCli } from './cli.js';
import { EXIT } from '../transport/protocol/errors.js';

const interrupt = new AbortController();
process.on('SIGINT', () => {
  // The first Ctrl-C lets the running command clean up (e.g. end a session it was waiting for); a second one leaves now.
  if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
  interrupt.abort();
});

process.exitCode = await runCli(process.argv.slice(2), {
  io: {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    bytes: (data) => process.stdout.write(data),
    // Loaded only by a command that follows output until it ends.
    readerGone: () => import('./output/pipe-readers.js').then(({ stdoutReaderGone }) => stdoutReaderGone(process.stdout)),
  },
  env: process.env,
  signal: interrupt.signal,
});
