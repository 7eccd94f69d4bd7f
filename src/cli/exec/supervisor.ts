// Runs `fbay exec`'s command in a process group of its own and takes the whole group down with it: when the command
// exits, when fbay exec passes on a signal, and when fbay exec dies without a word (SIGKILL) — its end of our fd 3
// closes then — so nothing the command started outlives the board's reservation.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { writeSync } from 'node:fs';
import { Socket } from 'node:net';

const KILL_AFTER_MS = 2000;

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('fbay exec supervisor: no command given\n');
  process.exit(2);
}

const child = spawn(command, args, { stdio: ['inherit', 'inherit', 'inherit', 'ignore'], detached: true });
let done = false;

function killGroup(signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** Ends what is left of the group: politely, then for sure. */
function endGroup(exitCode: number): void {
  killGroup('SIGTERM');
  setTimeout(() => {
    killGroup('SIGKILL');
    process.exit(exitCode);
  }, KILL_AFTER_MS).unref();
}

child.on('error', (err: NodeJS.ErrnoException) => {
  // Told to fbay exec over the lifeline, which says it in its own words.
  writeSync(3, `${JSON.stringify({ not_started: err.code ?? err.message })}\n`);
  process.exit(err.code === 'ENOENT' ? 127 : 126);
});

child.on('exit', (code, signal) => {
  done = true;
  const status = code ?? 128 + (signal ? constants.signals[signal] : 0);
  // Whatever the command left running in its group goes with it.
  killGroup('SIGTERM');
  process.exit(status);
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => killGroup(signal));

// fd 3 is a pipe whose other end only fbay exec holds: its end of file means fbay exec is gone.
const lifeline = new Socket({ fd: 3, readable: true, writable: false });
lifeline.on('data', () => undefined);
lifeline.on('close', () => {
  if (!done) endGroup(137);
});
lifeline.on('error', () => {
  if (!done) endGroup(137);
});
