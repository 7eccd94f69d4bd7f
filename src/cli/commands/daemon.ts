// `fbay daemon start|stop|restart|status|logs`: the local daemon's lifecycle (only `start`/`restart` start it).
import type { Command } from 'commander';
import { UserError } from '../../shared/user-error.js';
import { VERSION } from '../../shared/version.js';
import { EXIT } from '../../transport/protocol/errors.js';
import { wantsJson, type CliContext } from '../context.js';

async function load() {
  const [control, { emit }] = await Promise.all([import('../services/daemon-control.js'), import('../output/print.js')]);
  return { control, emit };
}

export function registerDaemon(program: Command, ctx: CliContext): void {
  const daemon = program.command('daemon').description('the local fbay daemon');

  daemon
    .command('start')
    .description('start the daemon (other commands start it on demand)')
    .option('--listen <host:port>', 'also serve teammates over TCP (API keys required), e.g. 0.0.0.0:7070')
    .option('--store <url>', 'run as a coordinator on PostgreSQL (postgres://USER:PASSWORD@HOST:PORT/DB); several may share it')
    .option('--join <url>', "offer this machine's boards to a coordinator, dialling out (no inbound port), e.g. wss://lab.example:7070 (several, comma-separated: the next is tried when one cannot be reached)")
    .option('--key <key>', 'with --join: the host key, made on the coordinator with `fbay keys create --host NAME`')
    .option('--ca <file>', "with --join: a PEM CA to trust for the coordinator's certificate (self-signed)")
    .action(async (flags: { listen?: string; store?: string; join?: string; key?: string; ca?: string }, cmd: Command) => {
      const { control, emit } = await load();
      const { listenEnv, storeEnv, joinEnv } = await import('../args.js');
      const env = { ...ctx.env, ...listenEnv(flags.listen), ...storeEnv(flags.store), ...joinEnv(flags) };
      const { health, started } = await control.startDaemon({ ...ctx, env });
      emit(ctx.io, wantsJson(cmd), health, (h) =>
        `fbay daemon ${started ? 'started' : 'already running'} (pid ${h.pid}, socket ${h.socket}${h.listeners.length > 1 ? `, ${h.listeners.slice(1).join(', ')}` : ''}).\n`,
      );
      if (!started && flags.listen && !health.listeners.some((l) => l.endsWith(`:${flags.listen!.split(':').pop()}`))) {
        ctx.io.err(`warning: the running daemon does not listen on ${flags.listen}.\nhint: run \`fbay daemon stop\` first, or set it for every start: \`fbay config set listen ${flags.listen}\`.\n`);
      }
      if (health.version !== VERSION) {
        ctx.io.err(`warning: the running daemon is version ${health.version}, this CLI ${VERSION}.\nhint: run \`fbay daemon restart\`.\n`);
      }
    });

  daemon
    .command('stop')
    .description('stop the daemon; its live sessions end (host_shutdown)')
    .action(async (_flags: unknown, cmd: Command) => {
      const { control, emit } = await load();
      const stopped = await control.stopDaemon(ctx, false);
      emit(ctx.io, wantsJson(cmd), stopped, (s) =>
        s.stopped ? `fbay daemon stopped (pid ${s.pid}).\n` : 'fbay daemon is not running.\n',
      );
    });

  daemon
    .command('restart')
    .description('restart the daemon, e.g. after an upgrade; live sessions are kept')
    .action(async (_flags: unknown, cmd: Command) => {
      const { control, emit } = await load();
      const { previousPid, running } = await control.restartDaemon(ctx);
      emit(ctx.io, wantsJson(cmd), running.health, (h) =>
        previousPid === null
          ? `fbay daemon started (pid ${h.pid}, socket ${h.socket}).\n`
          : `fbay daemon restarted (pid ${previousPid} → ${h.pid}); live sessions kept.\n`,
      );
    });

  daemon
    .command('status')
    .description("version, pid, uptime, socket and listeners of the running daemon; a coordinator's joined hosts")
    .action(async (_flags: unknown, cmd: Command) => {
      const [{ control, emit }, { healthView }, { hostSections }] = await Promise.all([load(), import('../output/views.js'), import('../output/hosts-view.js')]);
      const health = await control.daemonStatus(ctx);
      const hosts = await control.hostList(ctx);
      emit(ctx.io, wantsJson(cmd), { ...health, ...(hosts ?? {}) }, (h) => healthView(h) + hostSections(hosts));
    });

  daemon
    .command('logs')
    .description("print the daemon's log (-f: follow it until Ctrl-C)")
    .option('-n, --lines <n>', 'how many lines from the end', '50')
    .option('-f, --follow', 'keep printing what is appended')
    .action(async (flags: { lines: string; follow?: boolean }, cmd: Command) => {
      if (wantsJson(cmd)) {
        throw new UserError('--json does not apply to `fbay daemon logs`: it prints the log as the daemon wrote it, one line per event.', {
          exit: EXIT.usage,
          code: 'usage',
          next: 'Drop --json; `fbay --json daemon status` gives the running daemon as JSON.',
        });
      }
      if (!/^\d+$/.test(flags.lines)) {
        throw new UserError(`--lines must be a whole number; got '${flags.lines}'.`, { exit: EXIT.usage, code: 'usage' });
      }
      const [{ resolvePaths }, logs] = await Promise.all([
        import('../../shared/paths.js'),
        import('../services/daemon-logs.js'),
      ]);
      const { logFile } = resolvePaths(ctx.env);
      const offset = logs.sizeOf(logFile);
      logs.printTail(ctx.io, logFile, Number(flags.lines), offset);
      if (flags.follow) await logs.followLog(ctx.io, logFile, offset, ctx.signal);
      else if (offset === 0) ctx.io.err(`No daemon log yet at ${logFile}.\n`);
    });
}
