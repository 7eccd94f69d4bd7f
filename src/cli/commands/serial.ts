// `fbay serial cat|send|expect|bridge`: serial I/O for scripts and CI, and the board as a local port for other tools;
// flags → one service call → print.
import type { Command } from 'commander';
import { sessionOrDefault, wantsJson, type CliContext } from '../context.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';

const ID_HELP = 'session id (default: $FBAY_SESSION inside `fbay exec`, else the single live session)';

async function load(ctx: CliContext) {
  const [{ daemonClient }, { byteSink }, input] = await Promise.all([
    import('../client/connect.js'),
    import('../services/serial-output.js'),
    import('../services/serial-input.js'),
  ]);
  return { client: daemonClient(ctx), sink: byteSink(ctx.io), input };
}

const sessionOf = sessionOrDefault;
const warnTo = (ctx: CliContext) => (line: string) => ctx.io.err(`warning: ${line}\n`);

function noJson(cmd: Command, what: string): void {
  if (wantsJson(cmd)) throw new UserError(`--json does not apply to \`fbay serial ${what}\`: it prints the serial bytes as they are.`, { exit: EXIT.usage, code: 'usage' });
}

export function registerSerial(program: Command, ctx: CliContext): void {
  const serial = program.command('serial').description('non-interactive serial I/O for scripts and CI');

  serial
    .command('cat')
    .description("print a session's serial output: the transcript from an offset, or with --follow what comes next")
    .argument('[id]', ID_HELP)
    .option('--since <offset>', 'start at this byte offset (default: 0; with --follow: live output only)')
    .option('--follow', 'keep printing until the session ends (Ctrl-C to stop)')
    .action(async (id: string | undefined, flags: { since?: string; follow?: boolean }, cmd: Command) => {
      noJson(cmd, 'cat');
      const { client, sink, input } = await load(ctx);
      const since = flags.since === undefined ? undefined : input.parseOffset(flags.since);
      const { catSerial } = await import('../services/serial-cat.js');
      const outputClosed = flags.follow ? ctx.io.readerGone?.() : undefined;
      await catSerial(client, sessionOf(ctx, id), { since, follow: flags.follow === true, sink, warn: warnTo(ctx), signal: ctx.signal, outputClosed });
    });

  serial
    .command('send')
    .description('send TEXT (and Enter) or a file to the board')
    .argument('[id]', ID_HELP)
    .argument('[text]', 'what to type; a lone argument is TEXT')
    .option('--file <file>', 'send this file byte for byte (- for standard input)')
    .option('--eol <eol>', 'line ending after the bytes: none, cr, lf or crlf (default: cr after TEXT, none after --file)')
    .option('--escapes', 'read C-style escapes in TEXT: \\r \\n \\t \\e \\xHH \\uHHHH …')
    .action(async (first: string | undefined, second: string | undefined, flags: { file?: string; eol?: string; escapes?: boolean }, cmd: Command) => {
      const { client, input } = await load(ctx);
      const { id, value } = input.idAndValue(first, second, flags.file !== undefined);
      const plan = input.planSend(value, flags);
      const [{ readPayloadFile, sendToSession }, { emit }] = await Promise.all([import('../services/serial-send.js'), import('../output/print.js')]);
      const body = 'text' in plan.source ? plan.source.text : await readPayloadFile(plan.source.file);
      const sent = await sendToSession(client, sessionOf(ctx, id), Buffer.concat([body, plan.eol]), ctx.signal);
      emit(ctx.io, wantsJson(cmd), sent, () => '');
    });

  serial
    .command('expect')
    .description('wait until serial output matches REGEX; print what was seen (exit 8 on timeout)')
    .argument('[id]', ID_HELP)
    .argument('[regex]', 'a JavaScript regular expression, matched against the output as UTF-8 text')
    .option('--timeout <dur>', 'give up after DUR (exit 8)', '30s')
    .option('--since <offset>', 'read from this byte offset (default: output from now on)')
    .option('--flags <flags>', 'regular expression flags: i, m, s, u, v')
    .addHelpText(
      'after',
      '\nOutput that came before expect connected is only read with --since. To catch the answer to a send:\n' +
        '  off=$(fbay --json serial send info | jq .offset) && fbay serial expect --since "$off" "baud: \\d+"\n',
    )
    .action(async (first: string | undefined, second: string | undefined, flags: { timeout: string; since?: string; flags?: string }, cmd: Command) => {
      const [{ parseDuration }, expect, input] = await Promise.all([
        import('../../shared/duration.js'),
        import('../services/serial-expect.js'),
        import('../services/serial-input.js'),
      ]);
      const { id, value } = input.idAndValue(first, second, false);
      if (value === undefined) throw new UserError('Give the REGEX to wait for.', { exit: EXIT.usage, code: 'usage', next: "For example: fbay serial expect 'ready>'" });
      const regex = expect.compileRegex(value, flags.flags);
      const timeoutMs = parseDuration(flags.timeout, '--timeout');
      if (timeoutMs <= 0) throw new UserError(`--timeout must be more than 0; got '${flags.timeout}'.`, { exit: EXIT.usage, code: 'usage' });
      const since = flags.since === undefined ? undefined : input.parseOffset(flags.since);
      const { client, sink } = await load(ctx);
      const warn = warnTo(ctx);
      const outcome = await expect.expectInSession(client, sessionOf(ctx, id), {
        regex,
        timeoutMs,
        since,
        signal: ctx.signal,
        warn,
        onGap: (n) => warn(`${n} bytes of output were lost before the match was found (this reader fell behind).`),
      });
      if (wantsJson(cmd)) ctx.io.out(`${JSON.stringify(expect.expectJson(outcome), null, 2)}\n`);
      else sink(outcome.seen);
      if (outcome.status !== 'matched') throw expect.notMatched(outcome, regex, timeoutMs);
    });

  serial
    .command('bridge')
    .description('serve the board as a local port for esptool, idf.py, PlatformIO, picocom… until Ctrl-C or the session ends')
    .argument('[id]', ID_HELP)
    .option('--rfc2217 <[host:]port>', 'an RFC 2217 port (rfc2217://…) on loopback, or on HOST; port 0 picks a free one')
    .option('--pty <path>', 'a pseudo-terminal at PATH (a symlink; needs socat); DTR/RTS and baud cannot cross it')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  fbay serial bridge --rfc2217 4000 &   esptool.py --port rfc2217://127.0.0.1:4000 flash_id\n' +
        '  fbay serial bridge --pty /tmp/board & picocom -b 115200 /tmp/board\n',
    )
    .action(async (id: string | undefined, flags: { rfc2217?: string; pty?: string }, cmd: Command) => {
      if ((flags.rfc2217 === undefined) === (flags.pty === undefined)) {
        throw new UserError('Give one of --rfc2217 [HOST:]PORT or --pty PATH.', {
          exit: EXIT.usage,
          code: 'usage',
          next: 'For esptool and idf.py: fbay serial bridge --rfc2217 4000; for picocom, screen or tio: fbay serial bridge --pty /tmp/board',
        });
      }
      const [{ daemonClient }, { serveBridge }, { parseListenAddress }] = await Promise.all([
        import('../client/connect.js'),
        import('../services/serial-bridge.js'),
        import('../bridge/listen-address.js'),
      ]);
      const mode = flags.pty !== undefined ? { pty: flags.pty } : { rfc2217: parseListenAddress(flags.rfc2217!) };
      const json = wantsJson(cmd);
      const message = await serveBridge(daemonClient(ctx), sessionOf(ctx, id), mode, {
        signal: ctx.signal,
        log: (line) => ctx.io.err(`${line}\n`),
        ready: (endpoint, session) => {
          if (json) ctx.io.out(`${JSON.stringify(endpoint)}\n`);
          else if ('url' in endpoint) ctx.io.out(`Serving ${session.id} (${session.board_id}) on ${endpoint.url} — Ctrl-C to stop.\n`);
          else ctx.io.out(`Serving ${session.id} (${session.board_id}) on ${endpoint.pty} — Ctrl-C to stop.\n`);
        },
      });
      ctx.io.err(`${message}\n`);
    });
}
