// Starts the daemon detached and waits for its one `ready` line on a stdout pipe; its stderr goes to fbayd.log.
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';
import { readLogSince } from './log-tail.js';

export interface SpawnOptions {
  entry: string;
  logFile: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

export interface Started {
  pid: number;
  socket: string;
  /** The daemon found another daemon already answering and exited. */
  alreadyRunning: boolean;
}

const LINE = /^(ready|already-running) pid=(\d+) socket=(.+)$/;

export function parseReadyLine(line: string): Started | null {
  const m = LINE.exec(line.trim());
  return m ? { alreadyRunning: m[1] === 'already-running', pid: Number(m[2]), socket: m[3]! } : null;
}

export function spawnDaemon({ entry, logFile, env, timeoutMs }: SpawnOptions): Promise<Started> {
  mkdirSync(dirname(logFile), { recursive: true, mode: 0o700 });
  const logFd = openSync(logFile, 'a', 0o600);
  const logOffset = fstatSync(logFd).size;
  const child = spawn(process.execPath, [entry], { detached: true, stdio: ['ignore', 'pipe', logFd], env });
  closeSync(logFd);
  child.unref();
  const stdout = child.stdout!;
  stdout.setEncoding('utf8');

  return new Promise<Started>((resolve, reject) => {
    let buffered = '';
    const finish = (outcome: Started | Error) => {
      clearTimeout(timer);
      child.removeAllListeners();
      stdout.removeAllListeners();
      // The daemon never writes stdout after its ready line; closing our end lets this CLI exit while it runs on.
      stdout.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const failed = (what: string) =>
      new UserError(`${what}\n${indent(readLogSince(logFile, logOffset))}`, {
        exit: EXIT.daemon_unavailable,
        code: 'daemon_start_failed',
        next: `See the whole log with \`fbay daemon logs\` (${logFile}).`,
      });
    const timer = setTimeout(
      () => finish(failed(`The fbay daemon (pid ${child.pid}) did not become ready within ${timeoutMs / 1000}s. Its log:`)),
      timeoutMs,
    );
    stdout.on('data', (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const started = parseReadyLine(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if (started) return finish(started);
      }
    });
    child.on('error', (err) => finish(new UserError(`Could not start the fbay daemon: ${err.message}`, {
      exit: EXIT.daemon_unavailable,
      cause: err,
    })));
    child.on('exit', (code, signal) =>
      finish(failed(`The fbay daemon exited (${signal ?? `code ${code}`}) before it was ready:`)),
    );
  });
}

function indent(text: string): string {
  const body = text.trimEnd();
  return body === '' ? '  (the log is empty)' : body.split('\n').map((l) => `  ${l}`).join('\n');
}
