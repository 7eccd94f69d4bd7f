// `fbay keys create|list|revoke|credit`: API keys (each an account) for teammates using this daemon over TCP.
import type { Command } from 'commander';
import { wantsJson, type CliContext } from '../context.js';
import type { Account } from '../../transport/protocol/api.js';

interface KeyView {
  name: string;
  tier: string;
  prefix: string;
  created_at: string;
  revoked_at: string | null;
  account: Account;
}

async function load(ctx: CliContext) {
  const [{ daemonClient }, { emit }, { renderTable: table }] = await Promise.all([
    import('../client/connect.js'),
    import('../output/print.js'),
    import('../output/table.js'),
  ]);
  return { client: daemonClient(ctx), emit, table };
}

const balance = (a: Account) => (a.balance_credits === null ? 'unmetered' : String(a.balance_credits));

export function registerKeys(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description('API keys and their accounts, for a daemon that listens on TCP');

  keys
    .command('create')
    .description('create a key (an account); the key is printed once')
    .requiredOption('--name <name>', 'the account name, e.g. alice')
    .option('--tier <tier>', 'free, top_up, team or pro', 'free')
    .option('--credits <n>', "starting credits (default: the tier's)")
    .action(async (flags: { name: string; tier: string; credits?: string }, cmd: Command) => {
      const { parseCredits } = await import('../args.js');
      const { client, emit } = await load(ctx);
      const body = { name: flags.name, tier: flags.tier, ...(flags.credits === undefined ? {} : { credits: parseCredits('--credits', flags.credits) }) };
      const created = await client.post<KeyView & { key: string }>('/v1/keys', body);
      emit(ctx.io, wantsJson(cmd), created, (k) =>
        `${k.key}\n\nThat is ${k.name}'s API key (tier ${k.tier}, ${balance(k.account)} credits). It is shown only now: store it.\nUse it with: fbay remote add NAME http://THIS-HOST:PORT --key ${k.key}\n`,
      );
    });

  keys
    .command('list')
    .description('list keys (never the keys themselves) with their balances')
    .action(async (_flags: unknown, cmd: Command) => {
      const { client, emit, table } = await load(ctx);
      const list = await client.get<{ keys: KeyView[] }>('/v1/keys');
      emit(ctx.io, wantsJson(cmd), list, ({ keys: all }) =>
        all.length === 0
          ? 'No API keys. Create one with `fbay keys create --name NAME`.\n'
          : table(
              ['NAME', 'KEY', 'TIER', 'BALANCE', 'CREATED', 'REVOKED'],
              all.map((k) => [k.name, `${k.prefix}…`, k.tier, balance(k.account), k.created_at.slice(0, 10), k.revoked_at ? k.revoked_at.slice(0, 10) : '-']),
            ),
      );
    });

  keys
    .command('revoke')
    .description("revoke a key; its account's live sessions end")
    .argument('<name>', 'the key name')
    .action(async (name: string, _flags: unknown, cmd: Command) => {
      const { client, emit } = await load(ctx);
      const revoked = await client.delete<KeyView>(`/v1/keys/${encodeURIComponent(name)}`);
      emit(ctx.io, wantsJson(cmd), revoked, (k) => `Revoked ${k.name}'s key.\n`);
    });

  keys
    .command('credit')
    .description("add credits to a key's account")
    .argument('<name>', 'the key name')
    .argument('<credits>', 'how many credits to add')
    .action(async (name: string, amount: string, _flags: unknown, cmd: Command) => {
      const { parseCredits } = await import('../args.js');
      const { client, emit } = await load(ctx);
      const account = await client.post<Account>(`/v1/keys/${encodeURIComponent(name)}/credits`, { credits: parseCredits('credits', amount) });
      emit(ctx.io, wantsJson(cmd), account, (a) => `${a.account} now has ${balance(a)} credits.\n`);
    });
}
