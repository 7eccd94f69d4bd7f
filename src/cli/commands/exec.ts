// `fbay exec --board TYPE -- CMD...`: flags → one call into services/exec; CMD owns stdout, so exec prints nothing there.
import type { Command } from 'commander';
import { wantsJson, type CliContext } from '../context.js';
import type { CreateFlags } from '../args.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';

type ExecFlags = Pick<CreateFlags, 'board' | 'boardId' | 'wait' | 'idleTimeout'> & { bridge?: boolean };

export function registerExec(program: Command, ctx: CliContext): void {
  program
    .command('exec')
    .description('reserve a board, run CMD with FBAY_SESSION and FBAY_SERIAL_URL set, and always end the session')
    .option('--bridge', 'also serve the board as an RFC 2217 port on loopback, its URL in FBAY_RFC2217_URL (esptool, idf.py)')
    .option('--board <type>', 'board type, e.g. virtual or esp32-s3')
    .option('--board-id <id>', 'one particular board (see `fbay boards`)')
    .option('--wait <dur>', 'queue up to DUR for a board when none is free (500ms, 30s, 5m, 2h)')
    .option('--idle-timeout <dur>', 'end the session after DUR with no serial client (whole seconds)')
    .argument('<cmd...>', 'the command and its arguments, after -- (run without a shell)')
    .addHelpText(
      'after',
      `\nExamples:\n  fbay exec --board virtual --idle-timeout 5m -- sh -c 'fbay serial send help && fbay serial expect --since 0 "flood N"'\n` +
        `  fbay exec --board esp32-s3 --bridge -- sh -c 'esptool.py --port "$FBAY_RFC2217_URL" flash_id'\n`,
    )
    .action(async (argv: string[], flags: ExecFlags, cmd: Command) => {
      if (wantsJson(cmd)) {
        throw new UserError('--json does not apply to `fbay exec`: stdout belongs to the command it runs.', { exit: EXIT.usage, code: 'usage' });
      }
      const [{ createRequest }, { daemonClient }, { commandFailed, execWithSession }] = await Promise.all([
        import('../args.js'),
        import('../client/connect.js'),
        import('../services/exec.js'),
      ]);
      const { bridge, ...createFlags } = flags;
      const { request, waitMs } = createRequest(createFlags);
      // Not tied to Ctrl-C: after an interrupt the session is still ended through this client.
      const client = daemonClient({ ...ctx, signal: new AbortController().signal });
      const [command, ...args] = argv as [string, ...string[]];
      const status = await execWithSession(client, {
        request,
        waitMs,
        command,
        args,
        env: ctx.env,
        signal: ctx.signal,
        warn: (line) => ctx.io.err(`warning: ${line}\n`),
        bridge: bridge === true,
        note: (line) => ctx.io.err(`${line}\n`),
      });
      if (status !== 0) throw commandFailed(command, status);
    });
}
