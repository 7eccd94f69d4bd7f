// Test helper: a socat pty pair standing in for a USB serial adapter; one end is the board's port, the test drives the other.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

export interface PtyPair {
  /** The end the daemon (or registry) opens as the board's port. */
  a: string;
  /** The end the test drives: what "the board" writes and reads. */
  b: string;
  socat: ChildProcess;
  stop(): Promise<void>;
}

/** Starts socat and resolves once both links exist (socat says so before its transfer loop starts). */
export async function ptyPair(dir: string, names: [string, string] = ['ttyA', 'ttyB']): Promise<PtyPair> {
  const a = join(dir, names[0]);
  const b = join(dir, names[1]);
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = once(socat, 'exit');
  let log = '';
  await new Promise<void>((resolve, reject) => {
    socat.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('starting data transfer loop')) resolve();
    });
    socat.once('error', reject);
    socat.once('exit', (code) => reject(new Error(`socat exited (${code}): ${log}`)));
  });
  return {
    a,
    b,
    socat,
    stop: async () => {
      if (socat.exitCode === null && socat.signalCode === null) {
        socat.kill('SIGTERM');
        await exited;
      }
    },
  };
}
