// The login link's page with its first view in it: the boards page rendered by the dashboard's own components
// (dist/ui-server, built with the page) from the API's answers for that account, and those answers in a meta tag for
// the page's own first render. Without that build, or if a render fails, the page is served as before and loads them.
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Router } from '../http/router.js';
import { metaTag } from './replies.js';

/** Next to the compiled daemon: dist/daemon/ui/ → dist/ui-server/first-paint.js. */
export const BUILT_RENDERER = fileURLToPath(new URL('../../ui-server/first-paint.js', import.meta.url));
/** The page reads its boot data from this meta tag (src/ui/boot.ts). */
const BOOT_META = 'fbay-boot';
/** The GET answers the boards page starts from. */
const PATHS = ['/v1/boards', '/v1/sessions'] as const;

interface Boot {
  me: Record<string, unknown>;
  data: Record<string, unknown>;
}

interface Renderer {
  renderFirstPage(boot: Boot): string;
}

export interface FirstPage {
  /** For the page's head: the boot data. */
  head: string;
  /** For `<div id="root">`: the page as its first render draws it. */
  root: string;
}

export class FirstPaint {
  readonly #renderer: Promise<Renderer | null>;

  constructor(
    private readonly router: Router,
    private readonly log: (message: string) => void,
    file = BUILT_RENDERER,
  ) {
    this.#renderer = existsSync(file) ? this.#load(file) : Promise.resolve(null);
  }

  async #load(file: string): Promise<Renderer | null> {
    try {
      const renderer = (await import(pathToFileURL(file).href)) as Renderer;
      // Once now, so the first login's page is not the one that pays for compiling React.
      renderer.renderFirstPage({ me: { logged_in: true, account: 'warm-up', login: 'token' }, data: {} });
      return renderer;
    } catch (err) {
      this.log(`dashboard: first pages are not rendered here (${(err as Error).message}); pages load their data themselves`);
      return null;
    }
  }

  /** `account`'s boards page, logged in as `me`; null when it cannot be made (the page then loads it itself). */
  async page(account: string, me: Record<string, unknown>, req: IncomingMessage, res: ServerResponse): Promise<FirstPage | null> {
    const renderer = await this.#renderer;
    if (!renderer) return null;
    try {
      const data: Record<string, unknown> = {};
      for (const path of PATHS) data[path] = await this.#get(path, account, req, res);
      const boot = { me, data };
      return { head: metaTag(BOOT_META, JSON.stringify(boot)), root: renderer.renderFirstPage(boot) };
    } catch (err) {
      this.log(`dashboard: the first page was not rendered (${(err as Error).message}); the page loads its data itself`);
      return null;
    }
  }

  async #get(path: string, account: string, req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const match = this.router.match('GET', path);
    if (!match) throw new Error(`no route for GET ${path}`);
    const reply = await match.handler({ method: 'GET', url: new URL(path, 'http://fbay'), params: match.params, account, req, res });
    if (reply === 'streaming' || reply.status !== 200) throw new Error(`GET ${path} answered ${reply === 'streaming' ? 'with a stream' : reply.status}`);
    return reply.body;
  }
}
