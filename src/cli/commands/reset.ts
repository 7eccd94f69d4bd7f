// `fbay reset [ID] [--bootloader]`: resets the session's board and prints the offset its boot output starts at.
import type { Command } from 'commander';
import { sessionOrDefault, wantsJson, type CliContext } from '../context.js';

export function registerReset(program: Command, ctx: CliContext): void {
  program
    .command('reset')
    .description("reset the session's board; prints the output offset where its boot output starts")
    .argument('[id]', 'session id (default: $FBAY_SESSION inside `fbay exec`, else the single live session)')
    .option('--bootloader', 'reset into the bootloader (download mode) instead of running the firmware')
    .addHelpText('after', "\nFor scripts:\n  off=$(fbay reset) && fbay serial expect --since \"$off\" 'ready>'\n")
    .action(async (id: string | undefined, flags: { bootloader?: boolean }, cmd: Command) => {
      const [{ daemonClient }, sessions, { emit }] = await Promise.all([
        import('../client/connect.js'),
        import('../services/sessions.js'),
        import('../output/print.js'),
      ]);
      const client = daemonClient(ctx);
      const target = await sessions.resolveSessionId(client, sessionOrDefault(ctx, id), `fbay reset ID${flags.bootloader ? ' --bootloader' : ''}`);
      const reset = await sessions.resetSession(client, target, flags.bootloader === true);
      emit(ctx.io, wantsJson(cmd), reset, (r) => `${r.offset}\n`);
    });
}
