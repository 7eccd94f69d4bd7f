// `fbay remote add|list|remove|use`: other fbay hosts (a team's board host) whose boards this machine can reserve.
import type { Command } from 'commander';
import { wantsJson, type CliContext } from '../context.js';

export function registerRemote(program: Command, ctx: CliContext): void {
  const remote = program.command('remote').description("other fbay hosts (a team's board host) to reserve boards on");
  const load = async () => {
    const [service, { emit }, { renderTable }] = await Promise.all([
      import('../services/remotes.js'),
      import('../output/print.js'),
      import('../output/table.js'),
    ]);
    return { service, emit, renderTable };
  };

  remote
    .command('add')
    .description('add a host: its URL and the API key its owner gave you')
    .argument('<name>', 'a short name for it, e.g. lab')
    .argument('<url>', 'http://HOST:PORT or https://HOST:PORT; several coordinators of one database separated by commas')
    .requiredOption('--key <key>', 'the API key (key_…)')
    .option('--ca <pem>', "a CA certificate to trust (for a host's self-signed TLS certificate)")
    .option('--force', 'replace a remote of that name')
    .option('--no-check', 'save it without trying the host first (GET /v1/auth/me with the key)')
    .action(async (name: string, url: string, flags: { key: string; ca?: string; force?: boolean; check: boolean }, cmd: Command) => {
      const { service, emit } = await load();
      const added = await service.addRemote(ctx, name, url, flags.key, { ca: flags.ca, force: flags.force === true, check: flags.check });
      emit(ctx.io, wantsJson(cmd), added, (r) => {
        const as = r.account ? ` as ${r.account.account} (tier ${r.account.tier})` : ' (not tried: --no-check)';
        return `Added remote ${r.name} (${r.url})${as}. Try it: fbay boards --remote ${r.name}\n`;
      });
    });

  remote
    .command('list')
    .description('list remotes (* marks the default)')
    .action(async (_flags: unknown, cmd: Command) => {
      const { service, emit, renderTable } = await load();
      const list = { remotes: service.listRemotes(ctx) };
      emit(ctx.io, wantsJson(cmd), list, ({ remotes }) =>
        remotes.length === 0
          ? 'No remotes. Add one with `fbay remote add NAME URL --key KEY`.\n'
          : renderTable(['', 'NAME', 'URL', 'KEY'], remotes.map((r) => [r.default ? '*' : '', r.name, r.url, r.key])),
      );
    });

  remote
    .command('remove')
    .description('forget a remote')
    .argument('<name>')
    .action(async (name: string, _flags: unknown, cmd: Command) => {
      const { service, emit } = await load();
      emit(ctx.io, wantsJson(cmd), await service.removeRemote(ctx, name), (r) => `Removed remote ${r.removed}.\n`);
    });

  remote
    .command('use')
    .description("make commands use this remote when --remote is not given ('local' for this machine)")
    .argument('<name>')
    .action(async (name: string, _flags: unknown, cmd: Command) => {
      const { service, emit } = await load();
      emit(ctx.io, wantsJson(cmd), await service.useRemote(ctx, name), (r) =>
        r.default_remote ? `Commands now use remote ${r.default_remote} (--remote local for this machine).\n` : 'Commands now use this machine.\n',
      );
    });
}
