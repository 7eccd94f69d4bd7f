// `fbay keys create|list|revoke|credit`: API keys (each an account) for teammates using this daemon over TCP.
import type { Command } from 'commander';
import { wantsJson, type CliContext } from '../context.js';
import type { Account } from '../../transport/protocol/api.js';
import { credits } from '../output/format.js';

interface KeyView {
  name: string;
  tier: string;
  /** `host`: a board host's key (no account). */
  kind?: 'user' | 'host';
  prefix: string;
  created_at: string;
  revoked_at: string | null;
  account: Account | null;
}

async function load(ctx: CliContext) {
  const [{ daemonClient }, { emit }, { renderTable: table }] = await Promise.all([
    import('../client/connect.js'),
    import('../output/print.js'),
    import('../output/table.js'),
  ]);
  return { client: daemonClient(ctx), emit, table };
}

/** Rounded for people (47.63); --json keeps the daemon's full precision. */
const balance = (a: Account | null) => (a === null ? '-' : a.balance_credits === null ? 'unmetered' : credits(a.balance_credits));

/** The key, shown once, and how to use it; a key whose account has nothing to spend says so. */
function keyLines(k: KeyView & { key: string }, what: string): string {
  if (k.kind === 'host') {
    return [`${k.key}`, '', `That is host ${k.name}'s ${what}. It is shown only now: store it.`, `On the board host: fbay daemon start --join ws://THIS-HOST:PORT --key ${k.key}   (wss:// with TLS)`, ''].join('\n');
  }
  const lines = [`${k.key}`, '', `That is ${k.name}'s ${what} (tier ${k.tier}, ${balance(k.account)} credits). It is shown only now: store it.`];
  if (k.account?.balance_credits === 0) {
    lines.push(`It has 0 credits, so ${k.name}'s first \`session create\` would be refused (402): add some with \`fbay keys credit ${k.name} N\`.`);
  }
  lines.push(`Use it with: fbay remote add NAME http://THIS-HOST:PORT --key ${k.key}`, '');
  return lines.join('\n');
}

export function registerKeys(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description('API keys and their accounts, for a daemon that listens on TCP');

  keys
    .command('create')
    .description("create a user's key (an account), a board host's key (--host) or a metrics key (--metrics); the key is printed once")
    .option('--name <name>', 'the account name, e.g. alice')
    .option('--host <name>', "a board host's key instead, for `fbay daemon start --join` on that host, e.g. lab1")
    .option('--metrics <name>', 'a key that can only read GET /metrics (for Prometheus)')
    .option('--tier <tier>', 'free, top_up, team or pro (team and pro start with 0 credits)')
    .option('--credits <n>', "starting credits (default: the tier's)")
    .action(async (flags: { name?: string; host?: string; metrics?: string; tier?: string; credits?: string }, cmd: Command) => {
      const { parseCredits, keyKind } = await import('../args.js');
      const { client, emit } = await load(ctx);
      const kind = keyKind(flags);
      const body =
        kind === 'host'
          ? { name: flags.host!, kind }
          : {
              name: kind === 'metrics' ? flags.metrics! : flags.name!,
              tier: flags.tier ?? 'free',
              ...(kind === 'metrics' ? { role: 'metrics' } : {}),
              ...(flags.credits === undefined ? {} : { credits: parseCredits('--credits', flags.credits) }),
            };
      const created = await client.post<KeyView & { key: string }>('/v1/keys', body);
      emit(ctx.io, wantsJson(cmd), created, (k) => keyLines(k, 'API key'));
    });

  keys
    .command('rotate')
    .description('give a key a new value: the old one stops working at once; the account stays the same')
    .argument('<name>', 'the key name')
    .action(async (name: string, _flags: unknown, cmd: Command) => {
      const { client, emit } = await load(ctx);
      const rotated = await client.post<KeyView & { key: string }>(`/v1/keys/${encodeURIComponent(name)}/rotate`);
      emit(ctx.io, wantsJson(cmd), rotated, (k) => keyLines(k, 'new API key (the old one no longer works)'));
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
              ['NAME', 'KIND', 'KEY', 'TIER', 'BALANCE', 'CREATED', 'REVOKED'],
              all.map((k) => [k.name, k.kind ?? 'user', `${k.prefix}…`, k.kind === 'host' ? '-' : k.tier, balance(k.account), k.created_at.slice(0, 10), k.revoked_at ? k.revoked_at.slice(0, 10) : '-']),
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
