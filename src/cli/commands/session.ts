// `fbay session create|list|show|end|wait`: flags → one call into services/sessions → print.
import type { Command } from 'commander';
import { wantsJson, type CliContext } from '../context.js';
import type { CreateFlags } from '../args.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';

const collect = (value: string, previous: string[]) => [...previous, value];

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
    .action(async (flags: CreateFlags, cmd: Command) => {
      const { createRequest } = await import('../args.js');
      const { request, waitMs } = createRequest(flags);
      const { client, sessions, view, emit } = await load(ctx);
      const created = await sessions.createSession(client, request, { waitMs, signal: ctx.signal });
      emit(ctx.io, wantsJson(cmd), created, (s) => view.sessionDetail(s));
    });

  session
    .command('list')
    .description('list live sessions (--all: ended ones too)')
    .option('--all', 'include ended sessions')
    .action(async (flags: { all?: boolean }, cmd: Command) => {
      const { client, sessions, view, emit } = await load(ctx);
      const list = await sessions.listSessions(client, flags.all === true);
      emit(ctx.io, wantsJson(cmd), list, ({ sessions: all }) =>
        all.length > 0 ? view.sessionTable(all) : flags.all ? 'No sessions.\n' : 'No live sessions.\n',
      );
    });

  session
    .command('show')
    .description('show a session (default: the live one)')
    .argument('[id]', 'session id')
    .action(async (id: string | undefined, _flags: unknown, cmd: Command) => {
      const { client, sessions, view, emit } = await load(ctx);
      const found = await sessions.getSession(client, await sessions.resolveSessionId(client, id));
      emit(ctx.io, wantsJson(cmd), found, (s) => view.sessionDetail(s, Date.now(), true));
    });

  session
    .command('end')
    .description('end a session (default: the live one), or --all')
    .argument('[id]', 'session id')
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
      const ended = await sessions.endSession(client, await sessions.resolveSessionId(client, id));
      emit(ctx.io, wantsJson(cmd), ended, view.endedLine);
    });

  session
    .command('wait')
    .description('wait until a session (default: the live one) reaches a state')
    .argument('[id]', 'session id')
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
      const target = await sessions.resolveSessionId(client, id);
      const outcome = await waitForSession(client, target, (s) => s.state === state, {
        timeoutMs,
        signal: ctx.signal,
        goal: `to be ${state}`,
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
