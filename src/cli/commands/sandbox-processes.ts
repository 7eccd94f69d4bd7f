// `fbay sandbox ps|logs|kill`: a sandbox's background processes: flags → one call into services/sandbox-processes → print.
import type { Command } from 'commander';
import { wantsJson, type CliContext } from '../context.js';
import { hinted, ID_HELP, load } from './sandbox-common.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';

export function registerProcesses(sandbox: Command, ctx: CliContext): void {
  sandbox
    .command('ps')
    .description("list a sandbox's background processes")
    .argument('[id]', ID_HELP)
    .action(hinted(async (id: string | undefined, _flags: unknown, cmd: Command) => {
      const [{ listProcesses }, { client, sandboxes, view, emit }] = await Promise.all([import('../services/sandbox-processes.js'), load(ctx)]);
      const list = await listProcesses(client, await sandboxes.resolveSandboxId(client, id, 'fbay sandbox ps ID'));
      emit(ctx.io, wantsJson(cmd), { processes: list }, ({ processes }) => view.processTable(processes));
    }));

  sandbox
    .command('logs')
    .description("print a background process's output (stdout and stderr interleaved) from a byte offset; -f: as it comes")
    .argument('<args...>', 'an optional sandbox id, then the pid')
    .option('--since <offset>', 'start at this byte offset (the `next` a previous read printed with --json)', '0')
    .option('-f, --follow', 'keep printing what the process writes until it exits (exit 0; Ctrl-C: 130)')
    .action(hinted(async (operands: string[], flags: { since: string; follow?: boolean }, cmd: Command) => {
      const json = wantsJson(cmd);
      if (flags.follow && json) {
        throw new UserError("--json does not apply to --follow, which prints the process's output as it comes.", {
          exit: EXIT.usage,
          code: 'usage',
          next: 'Read by offset with `fbay --json sandbox logs PID --since N` instead (its `next` is where the next read starts).',
        });
      }
      const [procs, { client, sandboxes, emit }] = await Promise.all([import('../services/sandbox-processes.js'), load(ctx)]);
      const { id: given, pid, since } = procs.parseProcessOperands(operands, flags.since);
      const id = await sandboxes.resolveSandboxId(client, given, `fbay sandbox logs ID PID${flags.follow ? ' --follow' : ''}`);
      if (!flags.follow) {
        emit(ctx.io, json, await procs.processOutput(client, id, pid, since), (o) => o.data);
        return;
      }
      const [{ followProcess }, { byteSink }] = await Promise.all([import('../services/sandbox-follow.js'), import('../services/serial-output.js')]);
      const warn = (line: string) => ctx.io.err(`warning: ${line}\n`);
      await followProcess(client, id, pid, { since, sink: byteSink(ctx.io), warn, signal: ctx.signal, outputClosed: ctx.io.readerGone?.() });
    }));

  sandbox
    .command('kill')
    .description('kill a background process and everything it started')
    .argument('<args...>', 'an optional sandbox id, then the pid')
    .action(hinted(async (operands: string[], _flags: unknown, cmd: Command) => {
      const [procs, { client, sandboxes, view, emit }] = await Promise.all([import('../services/sandbox-processes.js'), load(ctx)]);
      const { id: given, pid } = procs.parseProcessOperands(operands);
      const killed = await procs.killProcess(client, await sandboxes.resolveSandboxId(client, given, 'fbay sandbox kill ID PID'), pid);
      emit(ctx.io, wantsJson(cmd), killed, (p) => view.processTable([p]));
    }));
}
