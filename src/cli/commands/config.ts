// `fbay config get|set|list`: validated settings in config.json (never starts the daemon).
import type { Command } from 'commander';
import { wantsJson, type CliContext } from '../context.js';

async function load() {
  const [config, { configLines, configValue }, { emit }] = await Promise.all([
    import('../services/config.js'),
    import('../output/views.js'),
    import('../output/print.js'),
  ]);
  return { config, configLines, configValue, emit };
}

export function registerConfig(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('read and change settings');

  config
    .command('get')
    .description('print one setting')
    .argument('<key>', 'a dotted key, e.g. idle_timeout_s or account.tier')
    .action(async (key: string, _flags: unknown, cmd: Command) => {
      const { config: svc, configValue, emit } = await load();
      emit(ctx.io, wantsJson(cmd), svc.getConfig(ctx, key), (e) => `${configValue(e.value)}\n`);
    });

  config
    .command('set')
    .description('change a setting; a running daemon picks it up (listen and tls.* at its next start)')
    .argument('<key>', 'a dotted key, e.g. idle_timeout_s')
    .argument('<value>', "the value; 'none' clears a nullable one")
    .action(async (key: string, raw: string, _flags: unknown, cmd: Command) => {
      const { config: svc, configValue, emit } = await load();
      const result = await svc.setConfig(ctx, key, raw);
      emit(ctx.io, wantsJson(cmd), { key: result.key, value: result.value }, (e) => `${e.key} = ${configValue(e.value)}\n`);
      if (result.daemon === 'failed') {
        ctx.io.err(`warning: saved, but the running daemon did not take it: ${result.error.message}\n`);
        ctx.io.err('hint: run `fbay daemon restart` to apply it.\n');
      }
      if (result.daemon === 'reloaded') {
        for (const line of result.notices ?? []) ctx.io.err(`note: ${line}\n`);
        for (const line of result.problems ?? []) ctx.io.err(`warning: config.json: ${line}\n`);
      }
      if (result.daemon === 'reloaded' && svc.RESTART_KEYS.test(key)) {
        // The daemon binds its TCP listener (and loads TLS) only when it starts.
        ctx.io.err(`note: the running daemon reads ${key} only when it starts: run \`fbay daemon restart\` to apply it (live sessions are kept).\n`);
      }
    });

  config
    .command('list')
    .description('print every setting in effect')
    .action(async (_flags: unknown, cmd: Command) => {
      const { config: svc, configLines, emit } = await load();
      emit(ctx.io, wantsJson(cmd), svc.effectiveConfig(ctx), configLines);
    });
}
