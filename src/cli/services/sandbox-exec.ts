// `fbay sandbox exec`: the exec request from its operands and flags, the run (streamed as SSE to the terminal, or
// one answer), and the exit status the CLI passes on — the command's own, so a script can test it.
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { extname } from 'node:path';
import { UserError } from '../../shared/user-error.js';
import { EXIT, exitCodeFor } from '../../transport/protocol/errors.js';
import { API } from '../../transport/protocol/paths.js';
import { SANDBOX_LANGUAGES, type ExecRequestBody, type ExecStreamEvent, type SandboxExecResult, type SandboxLanguage, type SandboxProcess } from '../../transport/protocol/sandbox-api.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { interrupted, lostDaemon } from '../client/daemon-errors.js';
import { SseParser } from '../client/events.js';
import { wholeSeconds } from './sandboxes.js';

const usage = (message: string, next?: string) => new UserError(message, { exit: EXIT.usage, code: 'usage', ...(next ? { next } : {}) });
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;
const BY_EXTENSION: Record<string, SandboxLanguage> = { '.ts': 'ts', '.tsx': 'ts', '.mts': 'ts', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.sh': 'sh' };

export interface SandboxExecFlags {
  code?: string;
  file?: string;
  language?: string;
  timeout?: string;
  env?: string[];
  background?: boolean;
  restart?: boolean;
}

/** One word for /bin/sh: as it is when it is safe, else in single quotes. */
export function shellQuote(word: string): string {
  return word !== '' && SAFE_WORD.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * `[ID] -- CMD…`: what came before `--` is the sandbox id (at most one), what came after it the command. `afterDash`
 * is how many of the operands came after `--` (commander drops the `--` itself).
 */
export function splitExecOperands(operands: readonly string[], afterDash: number): { id: string | undefined; argv: string[] } {
  const before = operands.slice(0, operands.length - afterDash);
  if (before.length > 1) {
    throw usage(`Put the command after --; before it comes at most the sandbox id. Got '${before.join(' ')}'.`, 'For example: fbay sandbox exec -- ls -la, or fbay sandbox exec ses_… -- ls -la');
  }
  return { id: before[0], argv: operands.slice(operands.length - afterDash) };
}

function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usage(`--env must be NAME=VALUE; got '${pair.slice(0, 80)}'.`, 'For example: --env NODE_ENV=production');
    Object.defineProperty(env, pair.slice(0, eq), { value: pair.slice(eq + 1), enumerable: true, writable: true, configurable: true });
  }
  return env;
}

function parseLanguage(text: string): SandboxLanguage {
  if ((SANDBOX_LANGUAGES as readonly string[]).includes(text)) return text as SandboxLanguage;
  throw usage(`--language must be one of ${SANDBOX_LANGUAGES.join(', ')}; got '${text}'.`);
}

/** The exec body: exactly one of `-- CMD…`, --code or --file (read here, on this machine). */
export function execRequest(argv: readonly string[], flags: SandboxExecFlags, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): ExecRequestBody {
  const given = [argv.length > 0 && '-- CMD', flags.code !== undefined && '--code', flags.file !== undefined && '--file'].filter(Boolean);
  if (given.length !== 1) {
    throw usage(
      given.length === 0 ? 'Say what to run: `-- CMD…`, --code CODE or --file FILE.' : `Give one of -- CMD…, --code or --file; got ${given.join(' and ')}.`,
      "For example: fbay sandbox exec -- ls -la, or fbay sandbox exec --code 'console.log(Bun.version)'",
    );
  }
  if (flags.restart && !flags.background) throw usage('--restart-on-wake applies to --background processes.');
  if (flags.background && flags.timeout !== undefined) throw usage('A --background process has no timeout: it runs until it ends, is killed, or the sandbox sleeps.');
  const body: ExecRequestBody = {};
  if (argv.length > 0) {
    if (flags.language !== undefined && flags.language !== 'sh') throw usage(`-- CMD… runs a shell command; --language ${flags.language} applies to --code and --file.`);
    body.command = argv.length === 1 ? argv[0]! : argv.map(shellQuote).join(' ');
  } else {
    let language = flags.language === undefined ? undefined : parseLanguage(flags.language);
    if (flags.file !== undefined) {
      try {
        body.code = readFile(flags.file);
      } catch (cause) {
        throw new UserError(`Cannot read --file '${flags.file}': ${(cause as Error).message}.`, { exit: EXIT.usage, code: 'usage', cause });
      }
      language ??= BY_EXTENSION[extname(flags.file).toLowerCase()];
    } else body.code = flags.code!;
    if (language) body.language = language;
  }
  if (flags.env && flags.env.length > 0) body.env = parseEnv(flags.env);
  if (flags.timeout !== undefined) body.timeout_s = wholeSeconds(flags.timeout, '--timeout');
  if (flags.background) body.background = true;
  if (flags.restart) body.restart = 'on_wake';
  return body;
}

/** What fbay exits with after the command: its code; 128 + the signal that ended it; 8 at its timeout. */
export function exitStatus(result: SandboxExecResult): { status: number; note: string | null } {
  if (result.timed_out) return { status: EXIT.timeout, note: `The command ran past its timeout (${Math.round(result.execution_ms / 1000)} s) and was killed with its whole process tree.` };
  if (result.oom_killed) return { status: 137, note: 'The command ran out of memory and was killed (see `fbay sandbox show` for the memory limit).' };
  if (result.exit_code !== null) return { status: Math.min(result.exit_code, 255), note: null };
  const signo = result.signal ? (constants.signals as Record<string, number>)[result.signal] : undefined;
  return { status: 128 + (signo ?? 9), note: result.signal ? `The command was ended by ${result.signal}.` : null };
}

export interface ExecOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Runs the exec as a stream: output reaches the terminal as the command writes it; resolves with the result. */
export async function streamExec(client: DaemonClient, id: string, body: ExecRequestBody, out: ExecOutput, signal?: AbortSignal): Promise<SandboxExecResult> {
  // Heartbeats come every 5 s: silence three times that long means the daemon is gone.
  const res = await client.stream(API.exec(encodeURIComponent(id)), 15_000, { ...body, stream: true });
  res.setEncoding('utf8');
  const parser = new SseParser();
  let result: SandboxExecResult | null = null;
  let failure: UserError | null = null;
  try {
    for await (const chunk of res as AsyncIterable<string>) {
      for (const message of parser.push(chunk)) {
        const e = JSON.parse(message.data) as ExecStreamEvent;
        if (e.type === 'stdout') out.stdout(e.data);
        else if (e.type === 'stderr') out.stderr(e.data);
        else if (e.type === 'result') result = e.result;
        else if (e.type === 'error') failure = new UserError(e.error, { exit: exitCodeFor(e.code), code: e.code });
      }
    }
  } catch (err) {
    // Ctrl-C closes the stream, and the daemon kills the exec with it.
    if (signal?.aborted) throw interrupted();
    throw lostDaemon(client.socketPath, err);
  }
  if (failure) throw failure;
  if (!result) throw lostDaemon(client.socketPath, new Error(`the exec stream of ${id} ended without a result`));
  return result;
}

/** `--background`: the process as the daemon started it (its pid, to read its output by). */
export function startBackground(client: DaemonClient, id: string, body: ExecRequestBody): Promise<SandboxProcess> {
  return client.post<SandboxProcess>(API.exec(encodeURIComponent(id)), body);
}
