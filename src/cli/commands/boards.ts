// `fbay boards [list]`: the boards the daemon offers and who holds them.
import type { Command } from 'commander';
import { wantsJson, type CliContext } from '../context.js';
import type { BoardList } from '../../transport/protocol/api.js';

export function registerBoards(program: Command, ctx: CliContext): void {
  const boards = program.command('boards').description('the boards this daemon offers');
  boards
    .command('list', { isDefault: true })
    .description('list boards, their state and their session')
    .action(async (_flags: unknown, cmd: Command) => {
      const [{ daemonClient }, { boardsTable }, { emit }] = await Promise.all([
        import('../client/connect.js'),
        import('../output/views.js'),
        import('../output/print.js'),
      ]);
      const list = await daemonClient(ctx).get<BoardList>('/v1/boards');
      emit(ctx.io, wantsJson(cmd), list, ({ boards: all }) => (all.length > 0 ? boardsTable(all) : 'No boards.\n'));
    });
}
