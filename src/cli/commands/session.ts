// `fbay session create|list|show|update|end|wait`: flags → one call into services/sessions → print.
import type { Command } from 'commander';
import { sessionOrDefault, wantsJson, type CliContext } from '../context.js';
import type { CreateFlags } from '../args.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';
import { SESSION_KINDS } from '../../transport/protocol/api.js';
import { IDEMPOTENCY_KEY_OPTION, parseIdempotencyKey } from '../services/idempotency-key.js';

const collect = (value: string, previous: string[]) => [...previous, value];
const ID_HELP = 'session id (default: $FBAY_SESSION inside `fbay exec`, else the single live session)';

async function load(ctx: CliContext) {
  const [{ daemonClient }, sessions, view, { emit }] = await Promise.all([
    import('../client/connect.js'),
    import('../services/sessions.js'),
    import('../output/session-view.js'),
    import('../output/print.js'),
  ]);
  return { client: daemonClient(ctx), sessions, view, emit };
}

export function registerSession(program: Command, ctx: CliContext): void {
  const session = program.command('session').description('reserve boards, see and end sessions');

  session
    .command('create')
    .description('reserve a board for exclusive use')
    .option('--board <type>', 'board type, e.g. virtual or esp32-s3')
    .option('--board-id <id>', 'one particular board (see `fbay boards`)')
    .option('--wait <dur>', 'queue up to DUR for a board when none is free (500ms, 30s, 5m, 2h)')
    .option('--idle-timeout <dur>', 'end the session after DUR with no serial client (whole seconds)')
    .option('--max-credits <n>', 'end the session once it has used N credits')
    .option('--metadata <key=value>', 'attach a key=value pair (repeatable)', collect, [])
    .option(...IDEMPOTENCY_KEY_OPTION)
    .action(async (flags: CreateFlags & { idempotencyKey?: string }, cmd: Command) => {
      const { createRequest } = await import('../args.js');
      const { request, waitMs } = createRequest(flags);
      const idempotencyKey = parseIdempotencyKey(flags.idempotencyKey);
      const { client, sessions, view, emit } = await load(ctx);
      const created = await sessions.createSession(client, request, { waitMs, idempotencyKey, signal: ctx.signal });
      emit(ctx.io, wantsJson(cmd), created, (s) => view.sessionDetail(s));
    });

  session
    .command('list')
    .description('list live board sessions (--all: ended ones too; --kind: browser or sandbox sessions instead)')
    .option('--all', 'include ended sessions')
    .option('--kind <kind>', `only sessions of this kind: ${SESSION_KINDS.join(', ')} (default: board)`)
    .action(async (flags: { all?: boolean; kind?: string }, cmd: Command) => {
      const { parseKind } = await import('../args.js');
      const kind = flags.kind === undefined ? undefined : parseKind(flags.kind);
      const [{ client, sessions, emit }, { kindTable }] = await Promise.all([load(ctx), import('../output/kind-table.js')]);
      const list = await sessions.listSessions(client, flags.all === true, kind);
      emit(ctx.io, wantsJson(cmd), list, ({ sessions: all }) => kindTable(kind ?? 'board', all, flags.all === true));
    });

  session
    .command('show')
    .description('show a session (default: the live one)')
    .argument('[id]', ID_HELP)
    .action(async (id: string | undefined, _flags: unknown, cmd: Command) => {
      const { client, sessions, view, emit } = await load(ctx);
      const found = await sessions.getSession(client, await sessions.resolveSessionId(client, sessionOrDefault(ctx, id), 'fbay session show ID'));
      emit(ctx.io, wantsJson(cmd), found, (s) => view.sessionDetail(s, Date.now(), true));
    });

  session
    .command('update')
    .description("change a live session's idle window or credit budget")
    .argument('[id]', ID_HELP)
    .option('--idle-timeout <dur>', 'the new idle window (whole seconds: 30s, 10m, 2h)')
    .option('--max-credits <n>', "the new budget in credits, or 'none' for no budget")
    .action(async (id: string | undefined, flags: { idleTimeout?: string; maxCredits?: string }, cmd: Command) => {
      const { updateRequest } = await import('../args.js');
      const patch = updateRequest(flags);
      const { client, sessions, view, emit } = await load(ctx);
      const updated = await sessions.updateSession(client, await sessions.resolveSessionId(client, sessionOrDefault(ctx, id), 'fbay session update ID --idle-timeout DUR'), patch);
      emit(ctx.io, wantsJson(cmd), updated, (s) => view.sessionDetail(s));
    });

  session
    .command('end')
    .description('end a session (default: the live one), or --all')
    .argument('[id]', ID_HELP)
    .option('--all', 'end every live session of the account')
    .action(async (id: string | undefined, flags: { all?: boolean }, cmd: Command) => {
      if (id && flags.all) throw new UserError('Give a session ID or --all, not both.', { exit: EXIT.usage, code: 'usage' });
      const { client, sessions, view, emit } = await load(ctx);
      if (flags.all) {
        const ended = await sessions.endAllSessions(client);
        emit(ctx.io, wantsJson(cmd), { sessions: ended }, ({ sessions: all }) =>
          all.length > 0 ? all.map(view.endedLine).join('') : 'No live sessions to end.\n',
        );
        return;
      }
      const ended = await sessions.endSession(client, await sessions.resolveSessionId(client, sessionOrDefault(ctx, id), 'fbay session end ID'));
      emit(ctx.io, wantsJson(cmd), ended, view.endedLine);
    });

  session
    .command('wait')
    .description('wait until a session (default: the live one) reaches a state')
    .argument('[id]', ID_HELP)
    .requiredOption('--state <state>', 'pending, allocating, idle, active or ended')
    .option('--timeout <dur>', 'give up after DUR (exit 8)')
    .action(async (id: string | undefined, flags: { state: string; timeout?: string }, cmd: Command) => {
      const [{ parseState }, { parseDuration }, { waitForSession }] = await Promise.all([
        import('../args.js'),
        import('../../shared/duration.js'),
        import('../services/wait-for-session.js'),
      ]);
      const state = parseState(flags.state);
      const timeoutMs = flags.timeout === undefined ? undefined : parseDuration(flags.timeout, '--timeout');
      const { client, sessions, view, emit } = await load(ctx);
      const target = await sessions.resolveSessionId(client, sessionOrDefault(ctx, id), `fbay session wait ID --state ${state}`);
      const outcome = await waitForSession(client, target, (s) => s.state === state, {
        timeoutMs,
        signal: ctx.signal,
        goal: `to be ${state}`,
        warn: (line) => ctx.io.err(`warning: ${line}\n`),
      });
      if (!outcome.reached) {
        const s = outcome.session;
        throw new UserError(`Session ${s.id} ended (${s.end_reason ?? 'unknown reason'}) before it was ${state}.`, {
          code: 'session_ended',
          next: `See \`fbay session show ${s.id}\`.`,
        });
      }
      emit(ctx.io, wantsJson(cmd), outcome.session, (s) => `${s.id} is ${view.stateLine(s)}.\n`);
    });
}
