// Routes for board sessions: create, list, show, end (DESIGN §4).
import type { Route } from '../http/router.js';
import type { SessionEngine } from '../engine/session-engine.js';
import { readJson } from '../http/body.js';
import { assertSessionId, parseCreateSession } from './session-request.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { namedHost, targetHost, type RemoteRouting } from './remote-target.js';

export function sessionRoutes(engine: SessionEngine, remotes?: RemoteRouting): Route[] {
  return [
    {
      method: 'POST',
      path: '/v1/sessions',
      handler: async (r) => {
        const req = parseCreateSession(await readJson(r.req));
        const key = r.req.headers['idempotency-key'];
        if (Array.isArray(key) || (key !== undefined && (key.length === 0 || key.length > 255))) {
          throw new ApiError('invalid_request', 'Idempotency-Key must be one header of 1 to 255 characters.');
        }
        const host = targetHost(r, remotes);
        const created = host ? await remotes!.create(r.account, host, req, key ?? null) : await engine.create(r.account, req, key ?? null);
        return { status: 201, body: created };
      },
    },
    {
      method: 'GET',
      path: '/v1/sessions',
      handler: (r) => {
        const all = ['1', 'true'].includes(r.url.searchParams.get('all') ?? '');
        const host = namedHost(r);
        const sessions = engine.list(r.account, all).filter((s) => host === undefined || (s.host ?? null) === host);
        return { status: 200, body: { sessions: sessions.map((s) => engine.view(s)) } };
      },
    },
    {
      method: 'GET',
      path: '/v1/sessions/:id',
      handler: (r) => {
        assertSessionId(r.params.id!);
        return { status: 200, body: engine.view(engine.find(r.account, r.params.id!)) };
      },
    },
    {
      method: 'DELETE',
      path: '/v1/sessions/:id',
      handler: (r) => {
        assertSessionId(r.params.id!);
        return { status: 200, body: engine.end(r.account, r.params.id!) };
      },
    },
  ];
}
