// Routes for browser sessions (DESIGN §4, seed 002): POST /v1/browsers, GET /v1/browsers[?id=], DELETE /v1/browsers?id=.
import type { BrowserList, BrowserSession, BrowserSessionState } from '../../transport/protocol/browser-api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { ROUTES } from '../../transport/protocol/paths.js';
import { BrowserQuery, CreateBrowserBody, MAX_WAIT_MS, refuseRenamed } from '../../transport/protocol/schemas/browsers.js';
import type { BrowserHost } from '../browsers/browser-host.js';
import type { ApiRequest, Route } from '../http/router.js';
import { browserList } from '../providers/browser/browser-list.js';
import type { BrowserRecord } from '../providers/browser/browser-record.js';
import type { SessionCore } from '../sessions/session-core.js';
import { artifactRoutes, type JoinedArtifacts } from './browser-artifacts.js';
import { body, idempotencyKey, query, truthy } from './request.js';
import { namedHost, targetHost, type RemoteRouting } from './remote-target.js';
import type { PlacedElsewhere } from './sandboxes.js';

export interface BrowserRouteDeps {
  /** Browsers this host runs at once (`browsers.max_concurrent`). */
  maxConcurrent(): number;
  host: Pick<BrowserHost, 'artifactFile' | 'warmCount'>;
  /** A session that ran on a joined host: its artifacts are downloaded from there. */
  joinedArtifacts?: JoinedArtifacts;
  /** The joined hosts' browser slots (on a coordinator). */
  joinedSlots?: () => string[];
  /** On a coordinator on PostgreSQL: a create it would run itself, passed to one whose joined host has a free slot. */
  elsewhere?: PlacedElsewhere;
}

function requireId(id: string | undefined): string {
  if (id === undefined || id === '') throw new ApiError('invalid_request', 'Give the browser session id: ?id=ses_….');
  return id;
}

export function browserRoutes(core: SessionCore, deps: BrowserRouteDeps, routing?: RemoteRouting): Route[] {
  const view = (s: BrowserRecord) => core.view(s) as BrowserSession;
  const list = (r: ApiRequest, all: boolean, host: string | null | undefined) =>
    browserList(core, r.account, all, host, { maxConcurrent: deps.maxConcurrent(), warm: deps.host.warmCount });
  return [
    {
      method: 'POST',
      path: ROUTES.browsers,
      summary: 'Create a browser session: recording, record, profile, proxy, fingerprint, maxDurationMs, metadata.',
      body: CreateBrowserBody,
      handler: async (r) => {
        const req = await body(r, CreateBrowserBody, refuseRenamed);
        const host = targetHost(r, routing);
        // On a coordinator whose joined hosts have no free slot: to one whose host has, before running it here. (A
        // profile lives on the coordinator it was saved on: such a session stays.)
        const slots = deps.joinedSlots?.() ?? [];
        const held = core.holders();
        if (host === null && !req.profile && deps.elsewhere && !slots.some((slot) => !held.has(slot)) && (await deps.elsewhere.placed(r, 'browser', req))) return 'streaming';
        const s = await core.create(r.account, 'browser', req, { idempotencyKey: idempotencyKey(r), host });
        return { status: 201, body: view(s as BrowserRecord) };
      },
    },
    {
      method: 'GET',
      path: ROUTES.browsers,
      summary: 'List your browser sessions ({browsers, plan, host}), or show one (?id=); ?wait= holds the answer until that state.',
      query: BrowserQuery,
      handler: async (r) => {
        const q = query(r, BrowserQuery);
        if (q.id === undefined) {
          const host = namedHost(r);
          if (host) {
            targetHost(r, routing);
            const theirs = await routing!.hosts.get<BrowserList>(host, '/v1/browsers');
            return { status: 200, body: { ...theirs, browsers: list(r, truthy(q.all), host).browsers } };
          }
          return { status: 200, body: list(r, truthy(q.all), host) };
        }
        const s = core.find(r.account, q.id, 'browser') as BrowserRecord;
        if (q.wait === undefined) return { status: 200, body: view(s) };
        const until = q.wait as BrowserSessionState | 'usable';
        const reached = until === 'usable' ? (x: BrowserRecord) => x.state === 'ready' || x.state === 'active' : (x: BrowserRecord) => x.state === until;
        await core.until(s, (x) => reached(x as BrowserRecord), q.timeoutMs ?? q.timeout_ms ?? MAX_WAIT_MS);
        return { status: 200, body: view(s) };
      },
    },
    {
      method: 'DELETE',
      path: ROUTES.browsers,
      summary: 'End a browser session; answers once it has ended (artifacts final, every process gone). An ended one is returned unchanged.',
      query: BrowserQuery,
      handler: async (r) => {
        const id = requireId(query(r, BrowserQuery).id);
        return { status: 200, body: view((await core.end(r.account, id, 'browser')) as BrowserRecord) };
      },
    },
    ...artifactRoutes(core, deps.host, routing, deps.joinedArtifacts),
  ];
}
