// `fbay flash [ID] [OFFSET] FILE [OFFSET FILE]...`: flags → one service call → a progress bar or JSON lines → the summary.
import type { Command } from 'commander';
import { sessionOrDefault, wantsJson, type CliContext } from '../context.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';

const USAGE = 'fbay flash ID [OFFSET] FILE [OFFSET FILE]...';

export function registerFlash(program: Command, ctx: CliContext): void {
  program
    .command('flash')
    .description("write firmware to the session's board on its host: each image checked first, verified after, the board reset")
    .argument('[args...]', '[ID] then FILE, or OFFSET FILE pairs (a file without an offset goes where its kind belongs: an app to 0x10000)')
    .option('--no-verify', "skip the MD5 check of each region after it is written")
    .option('--erase-all', 'erase the whole flash first')
    .option('--force', 'flash an image for another chip, with a bad checksum, or at an unusual offset anyway')
    .option('--baud <rate>', 'the rate to write at once the ROM answers (default 460800)')
    .option('--status', "show the session's latest flash job instead of flashing")
    .addHelpText(
      'after',
      '\nExamples:\n  fbay flash build/blink.bin\n  fbay flash 0x0 build/bootloader/bootloader.bin 0x8000 build/partition_table/partition-table.bin 0x10000 build/blink.bin\n' +
        '\nExit codes: 0 flashed, 1 the flash failed on the board, 2 images refused before the board was touched, 4 no such live session, 5 a flash already runs, 8 the board never answered.\n',
    )
    .action(async (args: string[], flags: { verify: boolean; eraseAll?: boolean; force?: boolean; baud?: string; status?: boolean }, cmd: Command) => {
      const [{ daemonClient }, sessions, flash, view] = await Promise.all([
        import('../client/connect.js'),
        import('../services/sessions.js'),
        import('../services/flash.js'),
        import('../output/flash-view.js'),
      ]);
      const client = daemonClient(ctx);
      const json = wantsJson(cmd);
      if (flags.status) {
        const id = await sessions.resolveSessionId(client, sessionOrDefault(ctx, args[0]), 'fbay flash --status ID');
        const job = await flash.flashStatus(client, id);
        ctx.io.out(json ? `${JSON.stringify(job, null, 2)}\n` : job.state === 'running' ? `${view.progressLine(job)}\n` : job.state === 'succeeded' ? view.summary(job) : `Failed: ${job.error}\n`);
        return;
      }
      const parsed = flash.parseFlashArgs(args);
      const baud = flags.baud === undefined ? 460800 : Number(flags.baud);
      if (!Number.isInteger(baud) || baud <= 0) throw new UserError(`--baud must be a rate such as 460800 or 921600; got '${flags.baud}'.`, { exit: EXIT.usage, code: 'usage' });
      const id = await sessions.resolveSessionId(client, sessionOrDefault(ctx, parsed.id), USAGE);
      const tty = !json && process.stderr.isTTY === true;
      const bar = new view.ProgressBar((t) => ctx.io.err(t));
      let phase = '';
      try {
        const job = await flash.flashSession(client, id, parsed.images, {
          verify: flags.verify,
          eraseAll: flags.eraseAll === true,
          force: flags.force === true,
          baud,
          signal: ctx.signal,
          onEvent: (e) => {
            if (json) return ctx.io.out(`${JSON.stringify(e)}\n`);
            if (e.line !== undefined) return tty ? bar.above(e.line, e.state === 'running' ? view.progressLine(e) : null) : ctx.io.err(`${e.line}\n`);
            if (tty) return bar.draw(view.progressLine(e));
            if (e.phase !== phase) ctx.io.err(`${e.phase}…\n`);
            phase = e.phase;
          },
        });
        bar.done();
        ctx.io.out(json ? `${JSON.stringify(job)}\n` : view.summary(job));
      } finally {
        bar.done();
      }
    });
}
