// `fbay sandbox create|list|show|end|url|exec|files` (ps|logs|kill in sandbox-processes.ts): flags → one call into
// services/sandbox* → print.
import type { Command } from 'commander';
import { wantsJson, type CliContext } from '../context.js';
import { hinted, ID_HELP, load } from './sandbox-common.js';
import { registerProcesses } from './sandbox-processes.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT, type ExitCode } from '../../transport/protocol/errors.js';
import { IDEMPOTENCY_KEY_OPTION, parseIdempotencyKey } from '../services/idempotency-key.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Passes a status on without a message: the command already said what it had to say. */
// A command's status is any 1–255, not only the table's: the report passes it on as it is.
const exitWith = (status: number) => new UserError('', { exit: status as ExitCode });

export function registerSandbox(program: Command, ctx: CliContext): void {
  const sandbox = program.command('sandbox').description('isolated Bun runtimes that keep their files and processes, sleep, wake and expire');

  sandbox
    .command('create')
    .description('create a sandbox and print its id and url')
    .option('--ttl <dur>', 'delete it DUR after creation, whatever its state (default 24h; 90s, 30m, 7d as 168h)')
    .option('--metadata <key=value>', 'attach a key=value pair (repeatable)', collect, [])
    .option('--memory <mb>', 'memory limit in MB (plans with overrides)')
    .option('--cpu <n>', "CPUs' worth of time, e.g. 0.5 (plans with overrides)")
    .option('--disk <mb>', '/workspace quota in MB (plans with overrides)')
    .option('--exec-timeout <dur>', "an exec's default timeout (plans with overrides)")
    .option(...IDEMPOTENCY_KEY_OPTION)
    .action(hinted(async (flags: { ttl?: string; metadata: string[]; memory?: string; cpu?: string; disk?: string; execTimeout?: string; idempotencyKey?: string }, cmd: Command) => {
      const [{ parseMetadata }, svc] = await Promise.all([import('../args.js'), import('../services/sandboxes.js')]);
      const request = svc.createSandboxRequest(flags, parseMetadata(flags.metadata));
      const key = parseIdempotencyKey(flags.idempotencyKey);
      const { client, sandboxes, view, emit } = await load(ctx);
      emit(ctx.io, wantsJson(cmd), await sandboxes.createSandbox(client, request, key), (s) => view.sandboxDetail(s));
    }));

  sandbox
    .command('list')
    .description('list live sandboxes, deep sleep included (--all: expired and ended ones too)')
    .option('--all', 'include expired, ended and failed sandboxes')
    .action(hinted(async (flags: { all?: boolean }, cmd: Command) => {
      const { client, sandboxes, view, emit } = await load(ctx);
      const list = await sandboxes.listSandboxes(client, flags.all === true);
      for (const e of list.errors ?? []) ctx.io.err(`warning: ${e.host}'s sandboxes are not listed: ${e.error}\n`);
      emit(ctx.io, wantsJson(cmd), list, ({ sessions }) => view.sandboxTable(sessions, flags.all === true));
    }));

  sandbox
    .command('show')
    .description('show a sandbox: state, url, limits, isolation, credits (does not wake it)')
    .argument('[id]', ID_HELP)
    .action(hinted(async (id: string | undefined, _flags: unknown, cmd: Command) => {
      const { client, sandboxes, view, emit } = await load(ctx);
      const s = await sandboxes.getSandbox(client, await sandboxes.resolveSandboxId(client, id, 'fbay sandbox show ID'));
      emit(ctx.io, wantsJson(cmd), s, (x) => view.sandboxDetail(x, Date.now(), true));
    }));

  sandbox
    .command('end')
    .description('end a sandbox now: its processes stop and its files are deleted')
    .argument('[id]', ID_HELP)
    .action(hinted(async (id: string | undefined, _flags: unknown, cmd: Command) => {
      const { client, sandboxes, view, emit } = await load(ctx);
      const s = await sandboxes.endSandbox(client, await sandboxes.resolveSandboxId(client, id, 'fbay sandbox end ID'));
      emit(ctx.io, wantsJson(cmd), s, (x) => view.sandboxDetail(x, Date.now(), true));
    }));

  sandbox
    .command('url')
    .description("print the URL of the sandbox's web app ($PORT, 3000), or of another port in it")
    .argument('[id]', ID_HELP)
    .option('--port <n>', 'a port the sandbox serves on other than 3000')
    .action(hinted(async (id: string | undefined, flags: { port?: string }, cmd: Command) => {
      const { client, sandboxes, emit } = await load(ctx);
      const port = flags.port === undefined ? undefined : sandboxes.parsePort(flags.port);
      const s = await sandboxes.getSandbox(client, await sandboxes.resolveSandboxId(client, id, 'fbay sandbox url ID'));
      if (!s.url) throw new UserError(`Sandbox ${s.id} is ${s.state}: it has no URL any more.`, { exit: EXIT.not_found, code: 'not_found' });
      const url = sandboxes.urlForPort(s.url, port);
      emit(ctx.io, wantsJson(cmd), { id: s.id, url }, (x) => `${x.url}\n`);
    }));

  sandbox
    .command('exec')
    .description("run a shell command, Bun code or a local file in a sandbox; its output streams here and its exit code is fbay's")
    .argument('[args...]', 'an optional sandbox id, then -- and the command (a single word after -- is a shell line as typed)')
    .option('--code <code>', 'TypeScript or JavaScript to run with Bun')
    .option('--file <path>', 'a local file to run (.ts, .js, .sh by its extension, or --language)')
    .option('--language <lang>', 'ts, js or sh for --code and --file')
    .option('--timeout <dur>', 'kill it, with everything it started, after DUR (default the plan\'s: 30s)')
    .option('--env <name=value>', 'set an environment variable (repeatable)', collect, [])
    .option('--background', 'start it as a background process and print its pid (see `fbay sandbox ps`, `logs`)')
    .option('--restart-on-wake', 'with --background: start it again when the sandbox wakes from deep sleep')
    .addHelpText(
      'after',
      `\nExamples:\n  fbay sandbox exec -- ls -la /workspace\n  fbay sandbox exec ses_… --code 'console.log(Bun.version)'\n` +
        `  fbay sandbox exec --file script.ts --env MODE=test\n  fbay sandbox exec --background --restart-on-wake -- bun run server.ts\n`,
    )
    .action(hinted(async (operands: string[], flags: { code?: string; file?: string; language?: string; timeout?: string; env: string[]; background?: boolean; restartOnWake?: boolean }, cmd: Command) => {
      const exec = await import('../services/sandbox-exec.js');
      const raw = rootOf(cmd).rawArgs;
      const dash = raw.indexOf('--');
      const { id: given, argv } = exec.splitExecOperands(operands, dash < 0 ? 0 : raw.length - dash - 1);
      const body = exec.execRequest(argv, { ...flags, restart: flags.restartOnWake === true });
      const { client, sandboxes, view, emit } = await load(ctx);
      const id = await sandboxes.resolveSandboxId(client, given, 'fbay sandbox exec ID -- CMD');
      if (body.background) {
        const started = await exec.startBackground(client, id, body);
        emit(ctx.io, wantsJson(cmd), started, (p) => `${view.processTable([p])}Read its output with \`fbay sandbox logs ${id} ${p.pid}\`.\n`);
        return;
      }
      const json = wantsJson(cmd);
      const quiet = { stdout: () => undefined, stderr: () => undefined };
      const result = await exec.streamExec(client, id, body, json ? quiet : { stdout: (t) => ctx.io.out(t), stderr: (t) => ctx.io.err(t) }, ctx.signal);
      const { status, note } = exec.exitStatus(result);
      if (json) emit(ctx.io, true, result, () => '');
      else if (note) ctx.io.err(`fbay: ${note}\n`);
      if (status !== 0) throw exitWith(status);
    }));

  sandbox
    .command('files')
    .description('list, read, write or delete files under /workspace: files [ID] ls [PATH] | get PATH [DEST] | put SOURCE PATH | rm PATH')
    .argument('<args...>', "an optional sandbox id, then ls, get, put or rm and its paths ('-' is stdin or stdout)")
    .action(hinted(async (operands: string[], _flags: unknown, cmd: Command) => {
      const [files, fs] = await Promise.all([import('../services/sandbox-files.js'), import('node:fs')]);
      const { id: given, op } = files.parseFilesOperands(operands);
      const { client, sandboxes, view, emit } = await load(ctx);
      const id = await sandboxes.resolveSandboxId(client, given, `fbay sandbox files ID ${op.action} …`);
      const json = wantsJson(cmd);
      switch (op.action) {
        case 'ls': {
          const found = await files.listFiles(client, id, op.path);
          if ('directory' in found) emit(ctx.io, json, found.directory, view.directoryTable);
          else emit(ctx.io, json, found.file, (f) => `${f.path}  ${f.size} bytes\n`);
          return;
        }
        case 'get': {
          const data = await files.readFile(client, id, op.path);
          if (op.dest === undefined || op.dest === '-') (ctx.io.bytes ?? ((b: Buffer) => ctx.io.out(b.toString('utf8'))))(data);
          else {
            fs.writeFileSync(op.dest, data);
            emit(ctx.io, json, { path: op.dest, size: data.length }, (f) => `Wrote ${f.path} (${f.size} bytes).\n`);
          }
          return;
        }
        case 'put': {
          const data = op.source === '-' ? fs.readFileSync(0) : readLocal(fs.readFileSync, op.source);
          emit(ctx.io, json, await files.writeFile(client, id, op.path, data), (f) => `Wrote ${f.path} (${f.size} bytes).\n`);
          return;
        }
        case 'rm':
          emit(ctx.io, json, await files.removeFile(client, id, op.path), (f) => `Deleted ${f.path}.\n`);
      }
    }));

  registerProcesses(sandbox, ctx);
}

function rootOf(cmd: Command): Command & { rawArgs: string[] } {
  let root = cmd;
  while (root.parent) root = root.parent;
  // Set by parse() on the program only (untyped): the words as given, `--` included.
  return root as Command & { rawArgs: string[] };
}

function readLocal(read: (path: string) => Buffer, path: string): Buffer {
  try {
    return read(path);
  } catch (cause) {
    throw new UserError(`Cannot read '${path}': ${(cause as Error).message}.`, { exit: EXIT.usage, code: 'usage', cause });
  }
}
