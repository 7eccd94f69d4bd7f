// `fbay console [ID]`: the interactive serial console (an Ink TUI), or a plain byte pipe when not in a terminal.
import type { Command } from 'commander';
import { sessionOrDefault, wantsJson, type CliContext } from '../context.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';

export function registerConsole(program: Command, ctx: CliContext): void {
  program
    .command('console')
    .description('interactive serial console (escape key Ctrl-T, then ? for help; Ctrl-] quits)')
    .argument('[id]', 'session id (default: $FBAY_SESSION inside `fbay exec`, else the live session)')
    .option('--since <offset>', 'first show what the board printed from this byte offset on')
    .option('--replay', 'first show everything the board printed since the session started')
    .addHelpText(
      'after',
      '\nKeys: Ctrl-T then q quit (the session stays reserved), e end the session, r reset, b bootloader, B baud,\n' +
        'h hex view, t timestamps, l log to a file, E local echo, n line ending, k break, ? help. Ctrl-] quits at once.\n' +
        'Everything else, Ctrl-C included, goes to the board.\n\n' +
        'When stdin or stdout is not a terminal, the console is a plain byte pipe: stdin to the board, board to stdout.\n',
    )
    .action(async (id: string | undefined, flags: { since?: string; replay?: boolean }, cmd: Command) => {
      if (wantsJson(cmd)) {
        throw new UserError('--json does not apply to `fbay console`: it shows the serial bytes as they are.', { exit: EXIT.usage, code: 'usage' });
      }
      const { runConsole } = await import('../console/run.js'); // it loads the TUI or the pipe while it finds the session
      const message = await runConsole(ctx, { id: sessionOrDefault(ctx, id), since: flags.since, replay: flags.replay });
      if (message) ctx.io.err(`${message}\n`);
    });
}
