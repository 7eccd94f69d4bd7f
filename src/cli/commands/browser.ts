// `fbay browser create|list|show|end`: flags → one call into services/browsers → print.
import type { Command } from 'commander';
import { wantsJson, type CliContext } from '../context.js';

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
    .description('start a browser session and print its cdp_url')
    .option('--max-duration <dur>', 'end the session DUR after it is ready (default 30m; 500ms, 30s, 5m, 2h)')
    .option('--record <kinds>', 'artifacts to keep: console_log,screenshots,har')
    .option('--wait-ready', 'when the host is full and the session queues, wait until its cdp_url is usable')
    .option('--metadata <key=value>', 'attach a key=value pair (repeatable)', collect, [])
    .action(async (flags: { maxDuration?: string; record?: string; waitReady?: boolean; metadata: string[] }, cmd: Command) => {
      const [{ parseMetadata }, svc] = await Promise.all([import('../args.js'), import('../services/browsers.js')]);
      const request = svc.createBrowserRequest(flags, parseMetadata(flags.metadata));
      const { client, browsers, view, emit } = await load(ctx);
      const created = await browsers.createBrowser(client, request, { waitReady: flags.waitReady === true, signal: ctx.signal });
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
      const found = await browsers.getBrowser(client, await browsers.resolveBrowserId(client, id));
      emit(ctx.io, wantsJson(cmd), found, (s) => view.browserDetail(s, Date.now(), true));
    });

  browser
    .command('end')
    .description('end a browser session (default: the live one); prints the artifacts it recorded')
    .argument('[id]', 'session id')
    .action(async (id: string | undefined, _flags: unknown, cmd: Command) => {
      const { client, browsers, view, emit } = await load(ctx);
      const ended = await browsers.endBrowser(client, await browsers.resolveBrowserId(client, id));
      emit(ctx.io, wantsJson(cmd), ended, (s) => view.browserDetail(s, Date.now(), true));
    });
}
