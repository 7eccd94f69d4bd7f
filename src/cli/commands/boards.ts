// `fbay boards [list] | add | remove`: the boards the daemon offers, and the config entries that name boards.
import type { Command } from 'commander';
import { wantsJson, type CliContext } from '../context.js';
import type { Board, BoardList } from '../../transport/protocol/api.js';
import type { BoardAddFlags } from '../args.js';

async function load() {
  const [{ daemonClient }, views, { emit }] = await Promise.all([
    import('../client/connect.js'),
    import('../output/views.js'),
    import('../output/print.js'),
  ]);
  return { daemonClient, views, emit };
}

export function registerBoards(program: Command, ctx: CliContext): void {
  const boards = program.command('boards').description('the boards this daemon offers');
  boards
    .command('list', { isDefault: true })
    .description('list boards, their state and their session')
    .action(async (_flags: unknown, cmd: Command) => {
      const { daemonClient, views, emit } = await load();
      const list = await daemonClient(ctx).get<BoardList>('/v1/boards');
      emit(ctx.io, wantsJson(cmd), list, ({ boards: all }) => (all.length > 0 ? views.boardsTable(all) : 'No boards.\n'));
    });

  boards
    .command('add')
    .description('name a board by its device path or USB serial number, and say what it is')
    .option('--path <path>', 'device path, e.g. /dev/serial/by-id/usb-Espressif…')
    .option('--serial-number <sn>', 'USB serial number: finds the board wherever it enumerates')
    .requiredOption('--type <type>', 'board type, e.g. esp32-s3, usb-serial, rp2040')
    .option('--name <name>', 'the board id (default: from the path or serial number)')
    .option('--baud <n>', 'baud rate the port opens at')
    .option('--rate <credits>', 'credits per minute a session on it costs')
    .option('--reset-hard <seq>', 'hard reset in esptool notation, e.g. "D0|R1|W0.1|R0"')
    .option('--reset-bootloader <seq>', 'reset into the bootloader, esptool notation')
    .option('--new-type', 'TYPE is a new board type, not a typo of a known one (the daemon refuses unknown types otherwise)')
    .action(async (flags: BoardAddFlags, cmd: Command) => {
      const { boardEntry } = await import('../args.js');
      const entry = boardEntry(flags);
      const { daemonClient, views, emit } = await load();
      const added = await daemonClient(ctx).post<Board | null>('/v1/boards', entry);
      emit(ctx.io, wantsJson(cmd), added, (b) => (b ? `Added board ${b.id} (${b.type}), ${b.state}.\n${views.boardsTable([b])}` : 'Added.\n'));
    });

  boards
    .command('remove')
    .description('remove a board entry added with `boards add`')
    .argument('<name>', 'the entry name (its board id)')
    .action(async (name: string, _flags: unknown, cmd: Command) => {
      const { daemonClient, emit } = await load();
      const removed = await daemonClient(ctx).delete<{ removed: { name: string } }>(`/v1/boards/${encodeURIComponent(name)}`);
      emit(ctx.io, wantsJson(cmd), removed, (r) => `Removed board entry ${r.removed.name}.\n`);
    });
}
