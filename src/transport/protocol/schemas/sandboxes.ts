// Sandbox session requests (DESIGN §4, seed 001): POST /v1/sessions for a sandbox, POST …/exec, and the queries
// of the processes routes. Ranges that depend on the plan (ttl, limits, timeout_s) are checked by the daemon, which
// names the plan.
import * as v from 'valibot';
import { RESERVED_NAMES } from '../../../shared/config/defaults.js';
import { SANDBOX_LANGUAGES } from '../sandbox-api.js';
import { flag, metadata, oneOf, show, text } from '../schema-kit.js';
import { offset } from './sessions.js';

const seconds = (what: string) => v.number(`{field} must be a number of seconds (${what}); got {got}.`);
const amount = (what: string) => v.number(`{field} must be a number (${what}); got {got}.`);

export const SandboxLimitsBody = v.strictObject({
  memory_mb: v.optional(amount('megabytes of memory')),
  cpu: v.optional(amount("CPUs' worth of time, e.g. 0.5")),
  disk_mb: v.optional(amount('megabytes of /workspace')),
  exec_timeout_s: v.optional(seconds("an exec's default timeout")),
});

export const CreateSandboxBody = v.strictObject({
  kind: v.optional(v.literal('sandbox', '{field} must be "sandbox" here; got {got}.')),
  ttl: v.optional(seconds('from creation to expiry, at least 1')),
  metadata: v.optional(metadata()),
  limits: v.optional(SandboxLimitsBody),
});
export type CreateSandboxBody = v.InferOutput<typeof CreateSandboxBody>;

/** Environment variables: names to strings; names an object already has (`__proto__`, `constructor`) refused. */
const envMap = () =>
  v.custom<Record<string, string>>(
    (input) =>
      typeof input === 'object' && input !== null && !Array.isArray(input) && Object.entries(input).every(([k, x]) => typeof x === 'string' && !RESERVED_NAMES.has(k)),
    (issue) => {
      const input = issue.input as unknown;
      if (typeof input !== 'object' || input === null || Array.isArray(input)) return `{field} must be an object of NAME: "value" strings; got ${show(input)}.`;
      const [k, x] = Object.entries(input).find(([key, val]) => typeof val !== 'string' || RESERVED_NAMES.has(key))!;
      return RESERVED_NAMES.has(k) ? `{field} name '${k}' is not allowed; pick another name.` : `{field}.${k} must be a string; got ${show(x)}.`;
    },
  );

export const ExecFileBody = v.strictObject({
  path: text(4096),
  content: v.string('{field} must be a string (utf8, or base64 with "encoding": "base64"); got {got}.'),
  encoding: v.optional(oneOf(['utf8', 'base64'])),
});

export const ExecBody = v.pipe(
  v.strictObject({
    code: v.optional(v.string('{field} must be a string of TypeScript or JavaScript; got {got}.')),
    command: v.optional(v.string('{field} must be a shell command as a string; got {got}.')),
    language: v.optional(oneOf(SANDBOX_LANGUAGES)),
    files: v.optional(v.array(ExecFileBody, '{field} must be a list of {path, content}; got {got}.')),
    env: v.optional(envMap()),
    timeout_s: v.optional(seconds('the exec is killed, with its whole process tree, after this long')),
    background: v.optional(flag()),
    restart: v.optional(oneOf(['never', 'on_wake'])),
    stream: v.optional(flag()),
  }),
  v.check((b) => (b.code === undefined) !== (b.command === undefined), 'Give exactly one of code (run with Bun) or command (run with /bin/sh).'),
  v.check((b) => b.restart === undefined || b.background === true, 'restart applies to background processes: add "background": true.'),
  v.check((b) => b.background !== true || (b.stream !== true && b.timeout_s === undefined), 'A background process has no timeout and no stream: read its output from GET …/processes/{pid}/output.'),
);
export type ExecBody = v.InferOutput<typeof ExecBody>;

export const ProcessOutputQuery = v.strictObject({
  since: v.optional(offset('since')),
  encoding: v.optional(oneOf(['utf8', 'base64'])),
});

export const processId = v.pipe(
  v.string(),
  v.regex(/^\d{1,9}$/, (issue) => `'${String(issue.input).slice(0, 32)}' is not a process id: list them with GET …/processes.`),
  v.transform(Number),
);
