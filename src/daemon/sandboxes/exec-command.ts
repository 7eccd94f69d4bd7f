// Turns an exec or background request into what the agent runs: argv, environment, and a code file for Bun.
import { ApiError } from '../../transport/protocol/errors.js';
import { INSIDE } from './bwrap-args.js';
import type { Language } from './sandbox-types.js';

export const MAX_ENV = 100;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_ENV_VALUE = 32 * 1024;

export interface CommandInput {
  code?: string;
  command?: string;
  language?: Language;
  env?: Record<string, string>;
}

export interface Command {
  argv: string[];
  env: Record<string, string>;
  language: Language;
  /** What `processes()` shows: the command, or the first line of the code. */
  label: string;
  /** Bun's code, handed over on stdin (`bun run -`): TypeScript, top-level await, imports from /workspace. */
  stdin?: string;
}

function invalid(message: string): ApiError {
  return new ApiError('invalid_request', message);
}

export function checkEnv(env: Record<string, string> | undefined): Record<string, string> {
  if (env === undefined) return {};
  if (typeof env !== 'object' || env === null || Array.isArray(env)) throw invalid('env must be an object of NAME: "value" strings.');
  const names = Object.keys(env);
  if (names.length > MAX_ENV) throw invalid(`env has ${names.length} variables; at most ${MAX_ENV} are allowed.`);
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (!ENV_NAME.test(name)) throw invalid(`env name ${JSON.stringify(name)} is not a valid variable name (letters, digits and _, not starting with a digit).`);
    if (typeof value !== 'string') throw invalid(`env ${name} must be a string.`);
    if (value.length > MAX_ENV_VALUE || value.includes('\0')) throw invalid(`env ${name} is longer than 32 KiB or holds a NUL byte.`);
    out[name] = value;
  }
  return out;
}

/** `code` runs with Bun (which reads TypeScript, so js runs the same way); `command` runs with /bin/sh -c. */
export function buildCommand(input: CommandInput, base: Record<string, string>, bun = INSIDE.bun): Command {
  const hasCode = typeof input.code === 'string';
  const hasCommand = typeof input.command === 'string';
  if (hasCode === hasCommand) throw invalid('Give exactly one of `code` (run with Bun) or `command` (run with /bin/sh).');
  const language = input.language ?? (hasCode ? 'ts' : 'sh');
  if (!['ts', 'js', 'sh'].includes(language)) throw invalid(`language must be "ts", "js" or "sh"; got ${JSON.stringify(input.language)}.`);
  const env = { ...base, ...checkEnv(input.env) };
  const text = (hasCode ? input.code : input.command) as string;
  if (text.includes('\0')) throw invalid('code and command may not contain NUL bytes.');
  const label = text.split('\n', 1)[0]!.slice(0, 200);
  if (language === 'sh') return { argv: ['/bin/sh', '-c', text], env, language, label };
  if (hasCommand) throw invalid(`language ${language} runs \`code\` with Bun; for a shell command leave language out or set it to "sh".`);
  return { argv: [bun, 'run', '-'], env, language, label, stdin: text };
}
