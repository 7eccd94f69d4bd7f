// `fbay ui [--port N] [--no-open]`: the dashboard on loopback; prints a one-time login link and opens the browser.
import type { Command } from 'commander';
import { wantsJson, type CliContext } from '../context.js';

export function registerUi(program: Command, ctx: CliContext): void {
  program
    .command('ui')
    .description('open the dashboard in the browser (served by the daemon on 127.0.0.1); prints a one-time login link')
    .option('--port <n>', 'the port to serve on (default: config ui.port, else the last one, else any free port)')
    .option('--no-open', 'print the link without opening a browser')
    .action(async (flags: { port?: string; open: boolean }, cmd: Command) => {
      const [{ openUi, parsePort }, { emit }] = await Promise.all([import('../services/ui.js'), import('../output/print.js')]);
      const result = await openUi(ctx, { ...(flags.port !== undefined ? { port: parsePort(flags.port) } : {}), open: flags.open });
      emit(ctx.io, wantsJson(cmd), result, (r) => `${r.url}\n`);
      if (!wantsJson(cmd)) {
        ctx.io.err(
          `The link logs you in once, within 10 minutes; the dashboard stays at ${result.dashboard}.\n` +
            (result.not_opened ? `Open it in your browser (not opened: ${result.not_opened}).\n` : 'Opened in your browser.\n'),
        );
      }
    });
}
