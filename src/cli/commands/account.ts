// `fbay account`: the account this CLI acts as, its tier, balance and limits.
import type { Command } from 'commander';
import { wantsJson, type CliContext } from '../context.js';
import type { Account } from '../../transport/protocol/api.js';

export function registerAccount(program: Command, ctx: CliContext): void {
  program
    .command('account')
    .description('show the account, its balance and limits')
    .action(async (_flags: unknown, cmd: Command) => {
      const [{ daemonClient }, { accountView }, { emit }] = await Promise.all([
        import('../client/connect.js'),
        import('../output/views.js'),
        import('../output/print.js'),
      ]);
      const account = await daemonClient(ctx).get<Account>('/v1/auth/me');
      emit(ctx.io, wantsJson(cmd), account, accountView);
    });
}
