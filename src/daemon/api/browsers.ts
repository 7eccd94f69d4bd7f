// Routes for browser sessions (DESIGN §4): POST /v1/browsers, GET /v1/browsers[?id=], DELETE /v1/browsers?id=.
// Sessions mirrored from a remote host (`fbay-remote: NAME`, or default_remote) are looked up first by id.
import type { ApiRequest, Route } from '../http/router.js';
import { readJson } from '../http/body.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { BROWSER_SESSION_STATES, type BrowserSessionState } from '../../transport/protocol/browser-api.js';
import type { BrowserEngine } from '../browsers/browser-engine.js';
import { assertBrowserId, parseCreateBrowser } from '../browsers/browser-request.js';
import { CreateIdempotency } from '../browsers/create-idempotency.js';
import type { RemoteBrowsers } from '../browsers/remote-browsers.js';
import { namedHost, targetHost, type RemoteRouting } from './remote-target.js';

/** The longest a `GET /v1/browsers?id=…&wait=usable` holds the request: under the CLI's 30 s request timeout. */
export const MAX_WAIT_MS = 25_000;

function waitMs(raw: string | null): number {
  if (raw === null) return MAX_WAIT_MS;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > MAX_WAIT_MS) throw new ApiError('invalid_request', `timeout_ms must be a whole number from 0 to ${MAX_WAIT_MS}; got '${raw.slice(0, 32)}'.`);
  return n;
}

function idempotencyKey(r: ApiRequest): string | undefined {
  const key = r.req.headers['idempotency-key'];
  if (Array.isArray(key)) throw new ApiError('invalid_request', 'Idempotency-Key must be one header of 1 to 255 characters.');
  return key;
}

/** Without `remote`/`routing` (tests of the engine alone), a request naming a remote is refused. */
export function browserRoutes(engine: BrowserEngine, remote?: RemoteBrowsers, routing?: Pick<RemoteRouting, 'defaultRemote'>): Route[] {
  const idempotency = new CreateIdempotency();
  const hostOf = (r: ApiRequest) => targetHost(r, routing as RemoteRouting | undefined);
  return [
    {
      method: 'POST',
      path: '/v1/browsers',
      handler: async (r) => {
        const body = parseCreateBrowser(await readJson(r.req));
        const key = idempotencyKey(r);
        const host = hostOf(r);
        if (host) return { status: 201, body: await remote!.create(r.account, host, body, key ?? null) };
        const created = await idempotency.once(r.account, key, body, () => engine.create(r.account, body), (id) => engine.view(engine.find(r.account, id)));
        return { status: 201, body: created };
      },
    },
    {
      method: 'GET',
      path: '/v1/browsers',
      handler: async (r) => {
        const q = r.url.searchParams;
        const all = ['1', 'true'].includes(q.get('all') ?? '');
        if (!q.has('id')) {
          const host = namedHost(r);
          if (host && remote) return { status: 200, body: await remote.list(r.account, host, all) };
          const local = engine.list(r.account, all);
          // With no host named, `browser list` shows this host's sessions and the mirrors of remote ones.
          if (host === undefined && remote) local.browsers.push(...remote.sessions(r.account, null, all));
          return { status: 200, body: local };
        }
        const id = assertBrowserId(q.get('id'));
        const mirrored = remote?.has(id) === true;
        const wait = q.get('wait');
        if (wait === null) return { status: 200, body: mirrored ? remote!.find(r.account, id).view() : engine.view(engine.find(r.account, id)) };
        if (wait !== 'usable' && !(BROWSER_SESSION_STATES as readonly string[]).includes(wait)) {
          throw new ApiError('invalid_request', `wait must be 'usable' or a state (${BROWSER_SESSION_STATES.join(', ')}); got '${wait.slice(0, 32)}'.`);
        }
        const until = wait as BrowserSessionState | 'usable';
        const ms = waitMs(q.get('timeout_ms'));
        return { status: 200, body: await (mirrored ? remote!.awaitState(r.account, id, until, ms) : engine.awaitState(r.account, id, until, ms)) };
      },
    },
    {
      method: 'DELETE',
      path: '/v1/browsers',
      handler: async (r) => {
        const id = assertBrowserId(r.url.searchParams.get('id'));
        return { status: 200, body: await (remote?.has(id) ? remote.end(r.account, id) : engine.end(r.account, id)) };
      },
    },
  ];
}
