// `fbay browser create|list|show|end`: flags → one call into services/browsers → print.
import type { Command } from 'commander';
import { wantsJson, type CliContext } from '../context.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { BrowserCreateFlags } from '../services/browsers.js';
import { IDEMPOTENCY_KEY_OPTION, parseIdempotencyKey } from '../services/idempotency-key.js';

const collect = (value: string, previous: string[]) => [...previous, value];

async function load(ctx: CliContext) {
  const [{ daemonClient }, browsers, view, { emit }] = await Promise.all([
    import('../client/connect.js'),
    import('../services/browsers.js'),
    import('../output/browser-view.js'),
    import('../output/print.js'),
  ]);
  return { client: daemonClient(ctx), browsers, view, emit };
}

export function registerBrowser(program: Command, ctx: CliContext): void {
  const browser = program.command('browser').description('headless Chromium sessions for Playwright, Puppeteer or any CDP client');

  browser
    .command('create')
    .description('start a browser session and print its cdpUrl')
    .option('--max-duration <dur>', 'end the session DUR after it is ready (default 30m; 500ms, 30s, 5m, 2h)')
    .option('--recording', 'record a video of the session (MP4; needs ffmpeg on the host)')
    .option('--record <kinds>', 'artifacts to keep: screenshots,har,consoleLogs')
    .option('--profile <key>', 'restore and save cookies, local storage and IndexedDB under KEY')
    .option('--proxy <url>', 'send the traffic through http://[user:pass@]host:port (or socks5://…)')
    .option('--proxy-bypass <hosts>', 'hosts that skip the proxy, comma-separated')
    .option('--user-agent <ua>', 'the user agent every page sees')
    .option('--viewport <WxH>', 'the window size every page sees, e.g. 1024x640')
    .option('--locale <tag>', 'the locale every page sees, e.g. de-DE')
    .option('--timezone <zone>', 'the time zone every page sees, e.g. Asia/Tokyo')
    .option('--wait-ready', 'when the host is full and the session queues, wait until its cdpUrl is usable')
    .option('--metadata <key=value>', 'attach a key=value pair (repeatable)', collect, [])
    .option(...IDEMPOTENCY_KEY_OPTION)
    .action(async (flags: BrowserCreateFlags & { waitReady?: boolean; metadata: string[]; idempotencyKey?: string }, cmd: Command) => {
      const [{ parseMetadata }, svc] = await Promise.all([import('../args.js'), import('../services/browsers.js')]);
      const request = svc.createBrowserRequest(flags, parseMetadata(flags.metadata));
      const idempotencyKey = parseIdempotencyKey(flags.idempotencyKey);
      const { client, browsers, view, emit } = await load(ctx);
      const created = await browsers.createBrowser(client, request, { waitReady: flags.waitReady === true, idempotencyKey, signal: ctx.signal });
      emit(ctx.io, wantsJson(cmd), created, (s) => view.browserDetail(s));
    });

  browser
    .command('list')
    .description('list live browser sessions (--all: ended ones too), with the plan and its usage')
    .option('--all', 'include ended and failed sessions')
    .action(async (flags: { all?: boolean }, cmd: Command) => {
      const { client, browsers, view, emit } = await load(ctx);
      const list = await browsers.listBrowsers(client, flags.all === true);
      emit(ctx.io, wantsJson(cmd), list, (l) => view.browserTable(l, flags.all === true));
    });

  browser
    .command('show')
    .description('show a browser session (default: the live one), with its artifacts')
    .argument('[id]', 'session id')
    .action(async (id: string | undefined, _flags: unknown, cmd: Command) => {
      const { client, browsers, view, emit } = await load(ctx);
      const found = await browsers.getBrowser(client, await browsers.resolveBrowserId(client, id, 'fbay browser show ID'));
      emit(ctx.io, wantsJson(cmd), found, (s) => view.browserDetail(s, Date.now(), true));
    });

  browser
    .command('end')
    .description('end a browser session (default: the live one), or --all; prints the artifacts recorded')
    .argument('[id]', 'session id')
    .option('--all', 'end every live browser session of the account')
    .action(async (id: string | undefined, flags: { all?: boolean }, cmd: Command) => {
      if (id && flags.all) throw new UserError('Give a browser session ID or --all, not both.', { exit: EXIT.usage, code: 'usage' });
      const { client, browsers, view, emit } = await load(ctx);
      if (flags.all) {
        const ended = await browsers.endAllBrowsers(client);
        emit(ctx.io, wantsJson(cmd), { browsers: ended }, ({ browsers: all }) =>
          all.length > 0 ? all.map((s) => `${view.browserDetail(s, Date.now(), true)}\n`).join('') : 'No live browser sessions to end.\n',
        );
        return;
      }
      const ended = await browsers.endBrowser(client, await browsers.resolveBrowserId(client, id, 'fbay browser end ID'));
      emit(ctx.io, wantsJson(cmd), ended, (s) => view.browserDetail(s, Date.now(), true));
    });

  browser
    .command('artifacts')
    .description("download an ended session's recording, screenshots, HAR and console log (also from a remote host)")
    .argument('<id>', 'session id')
    .option('--out <dir>', 'where to write them (default: ./ID)')
    .action(async (id: string, flags: { out?: string }, cmd: Command) => {
      const [{ client, view, emit }, { downloadArtifacts }] = await Promise.all([load(ctx), import('../services/browser-artifacts.js')]);
      const written = await downloadArtifacts(client, id, flags.out);
      emit(ctx.io, wantsJson(cmd), written, (d) => view.artifactsWritten(d));
    });
}
