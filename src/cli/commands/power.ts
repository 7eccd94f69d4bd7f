// `fbay power on|off|cycle [ID]`: switches the session's board's power on its host and says whether it was verified.
import type { Command } from 'commander';
import { sessionOrDefault, wantsJson, type CliContext } from '../context.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';

export function registerPower(program: Command, ctx: CliContext): void {
  program
    .command('power')
    .description("switch the session's board off, on, or cycle it (its config entry's power, or a virtual board's)")
    .argument('<action>', 'on, off or cycle')
    .argument('[id]', 'session id (default: $FBAY_SESSION inside `fbay exec`, else the single live session)')
    .action(async (action: string, id: string | undefined, _flags: unknown, cmd: Command) => {
      if (!['on', 'off', 'cycle'].includes(action)) {
        throw new UserError(`The power action must be on, off or cycle; got '${action}'.`, { exit: EXIT.usage, code: 'usage', next: 'fbay power cycle' });
      }
      const [{ daemonClient }, sessions, { emit }] = await Promise.all([import('../client/connect.js'), import('../services/sessions.js'), import('../output/print.js')]);
      const client = daemonClient(ctx);
      const target = await sessions.resolveSessionId(client, sessionOrDefault(ctx, id), `fbay power ${action} ID`);
      const reply = await sessions.powerSession(client, target, action as 'on' | 'off' | 'cycle');
      emit(ctx.io, wantsJson(cmd), reply, (r) => `Power ${r.action}: ${r.verified}${r.why ? ` (${r.why})` : ''}.\n${r.output.map((l) => `  ${l}\n`).join('')}`);
    });
}
