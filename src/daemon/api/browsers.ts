// Routes for browser sessions (DESIGN §4): POST /v1/browsers, GET /v1/browsers[?id=], DELETE /v1/browsers?id=.
import type { ApiRequest, Route } from '../http/router.js';
import { readJson } from '../http/body.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { BROWSER_SESSION_STATES, type BrowserSessionState } from '../../transport/protocol/browser-api.js';
import type { BrowserEngine } from '../browsers/browser-engine.js';
import { assertBrowserId, parseCreateBrowser } from '../browsers/browser-request.js';

/** The longest a `GET /v1/browsers?id=…&wait=usable` holds the request: under the CLI's 30 s request timeout. */
export const MAX_WAIT_MS = 25_000;

function waitMs(raw: string | null): number {
  if (raw === null) return MAX_WAIT_MS;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > MAX_WAIT_MS) throw new ApiError('invalid_request', `timeout_ms must be a whole number from 0 to ${MAX_WAIT_MS}; got '${raw.slice(0, 32)}'.`);
  return n;
}

/** The header `--remote NAME` sends: browser sessions on remote hosts are not built yet, so say so rather than run locally. */
const REMOTE_HEADER = 'fbay-remote';

function localOnly(r: ApiRequest): void {
  const remote = r.req.headers[REMOTE_HEADER];
  if (typeof remote === 'string' && remote !== 'local') {
    throw new ApiError('invalid_request', `Browser sessions run on this host only for now; remote '${remote.slice(0, 64)}' cannot host one through this daemon. Drop --remote.`);
  }
}

export function browserRoutes(engine: BrowserEngine): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/browsers',
      handler: async (r) => {
        localOnly(r);
        return { status: 201, body: await engine.create(r.account, parseCreateBrowser(await readJson(r.req))) };
      },
    },
    {
      method: 'GET',
      path: '/v1/browsers',
      handler: async (r) => {
        const q = r.url.searchParams;
        if (!q.has('id')) return { status: 200, body: engine.list(r.account, ['1', 'true'].includes(q.get('all') ?? '')) };
        const id = assertBrowserId(q.get('id'));
        const wait = q.get('wait');
        if (wait === null) return { status: 200, body: engine.view(engine.find(r.account, id)) };
        if (wait !== 'usable' && !(BROWSER_SESSION_STATES as readonly string[]).includes(wait)) {
          throw new ApiError('invalid_request', `wait must be 'usable' or a state (${BROWSER_SESSION_STATES.join(', ')}); got '${wait.slice(0, 32)}'.`);
        }
        return { status: 200, body: await engine.awaitState(r.account, id, wait as BrowserSessionState | 'usable', waitMs(q.get('timeout_ms'))) };
      },
    },
    {
      method: 'DELETE',
      path: '/v1/browsers',
      handler: async (r) => ({ status: 200, body: await engine.end(r.account, assertBrowserId(r.url.searchParams.get('id'))) }),
    },
  ];
}
