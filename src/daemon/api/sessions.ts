// Routes for sessions (DESIGN §4): create, list, show, change, end — board sessions here or on a remote host, and
// sandbox sessions (handed to the sandbox routes by their body or their id).
import type { Session } from '../../transport/protocol/api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { ROUTES } from '../../transport/protocol/paths.js';
import * as v from 'valibot';
import { checkMetadataSize, parseWith } from '../../transport/protocol/schema-kit.js';
import { CreateSandboxBody } from '../../transport/protocol/schemas/sandboxes.js';
import { CreateBoardSessionBody, ListSessionsQuery, PatchSessionBody } from '../../transport/protocol/schemas/sessions.js';
import { readJson } from '../http/body.js';
import type { SandboxApi } from './sandboxes.js';
import type { ApiRequest, Route } from '../http/router.js';
import type { SessionCore } from '../sessions/session-core.js';
import { body, idempotencyKey, idParam, query, truthy } from './request.js';
import { fromRemote, remoteFor, targetHost, type RemoteRouting } from './remote-target.js';
import type { SessionChanges } from '../providers/board/board-changes.js';

/** On a coordinator: a create this one cannot serve may be passed to another coordinator. True when passed on. */
export interface CreateElsewhere {
  /** Before it is tried here: a create that would wait here for a type this coordinator has no board of. */
  waiting(r: ApiRequest, body: CreateBoardSessionBody): Promise<boolean>;
  /** Refused here: by type with no free board, or by id for a board this coordinator does not have. */
  refused(r: ApiRequest, body: CreateBoardSessionBody, refusal: unknown): Promise<boolean>;
}

export function sessionRoutes(core: SessionCore, changes: SessionChanges, remotes?: RemoteRouting, sandbox?: SandboxApi, elsewhere?: CreateElsewhere): Route[] {
  /** A session of the caller's on a remote host that this daemon does not mirror (made by curl, another laptop, CI). */
  const upstream = async (host: string, method: string, id: string): Promise<Session> =>
    (await remotes!.hosts.client(host).json<Session>(method, `/v1/sessions/${id}`, { retry: method === 'GET' || method === 'DELETE' })).body;
  const mirrored = (account: string, id: string) => core.list(account, { all: true }).some((s) => s.id === id);
  /** A session this daemon knows (without an explicit --remote, the default remote is asked only about others). */
  const here = (id: string) => core.get(id) !== undefined;
  return [
    {
      method: 'POST',
      path: ROUTES.sessions,
      summary: 'Create a board session (board_type or board_id), or a sandbox (kind "sandbox", or neither).',
      body: v.union([CreateBoardSessionBody, CreateSandboxBody]),
      handler: async (r) => {
        const raw = await readJson(r.req);
        checkMetadataSize(raw);
        if (sandbox?.isFor(raw)) return sandbox.create(r, raw);
        const req = parseWith(CreateBoardSessionBody, raw);
        const host = targetHost(r, remotes);
        // A create that waits for a type no board here has: queued where the boards are (a coordinator's peers).
        if (host === null && elsewhere && (await elsewhere.waiting(r, req))) return 'streaming';
        try {
          const s = await core.create(r.account, 'board', req, { idempotencyKey: idempotencyKey(r), host });
          return { status: 201, body: core.view(s) };
        } catch (err) {
          if (host === null && elsewhere && (await elsewhere.refused(r, req, err))) return 'streaming';
          throw err;
        }
      },
    },
    {
      method: 'GET',
      path: ROUTES.sessions,
      summary: 'List your sessions (live ones; ?all=1 for ended ones too).',
      query: ListSessionsQuery,
      handler: async (r) => {
        const q = query(r, ListSessionsQuery);
        const header = r.req.headers['fbay-remote'];
        const host = typeof header === 'string' ? targetHost(r, remotes) : null;
        const mine = core.list(r.account, { all: truthy(q.all), kind: q.kind ?? 'board' });
        if (host === null) {
          const filter = typeof header === 'string' ? mine.filter((s) => s.host === null) : mine;
          const listed = filter.map((s) => core.view(s) as Session);
          // Sandboxes made on the default remote are that remote's alone (not mirrored): listed with this daemon's.
          const remote = header === undefined && q.kind === 'sandbox' ? targetHost(r, remotes) : null;
          if (remote === null) return { status: 200, body: { sessions: listed } };
          // A remote that does not answer leaves this daemon's own listed, and says so, rather than hide them.
          const theirs = await remotes!.hosts.get<{ sessions: Session[] }>(remote, `/v1/sessions?kind=sandbox${truthy(q.all) ? '&all=1' : ''}`).then(
            ({ sessions }) => sessions.map((u) => fromRemote(remotes!, remote, u)),
            (err: unknown) => ({ host: remote, ...(err instanceof ApiError ? { code: err.code, error: err.message } : { code: 'upstream_unavailable', error: String(err) }) }),
          );
          if (!Array.isArray(theirs)) return { status: 200, body: { sessions: listed, errors: [theirs] } };
          return { status: 200, body: { sessions: [...listed, ...theirs] } };
        }
        // The key's sessions on that host, whoever made them, with the mirrors' local view where there is one; the
        // host is asked for the same kind, or its board sessions would be listed under any kind asked for here.
        const upstreamQuery = new URLSearchParams({ ...(truthy(q.all) ? { all: '1' } : {}), ...(q.kind ? { kind: q.kind } : {}) }).toString();
        const theirs = (await remotes!.hosts.get<{ sessions: Session[] }>(host, `/v1/sessions${upstreamQuery ? `?${upstreamQuery}` : ''}`)).sessions;
        const local = new Map(mine.filter((s) => s.host === host).map((s) => [s.id, core.view(s) as Session]));
        return { status: 200, body: { sessions: theirs.map((u) => local.get(u.id) ?? fromRemote(remotes!, host, u)) } };
      },
    },
    {
      method: 'GET',
      path: ROUTES.session,
      summary: 'Show one session.',
      handler: async (r) => {
        const id = idParam(r);
        const host = remoteFor(r, remotes, here);
        if (host && !mirrored(r.account, id)) return { status: 200, body: fromRemote(remotes!, host, await upstream(host, 'GET', id)) };
        // Read from a shared store first: a session made through another coordinator a moment ago is found.
        const s = await core.lookup(r.account, id);
        if (sandbox && s.kind === 'sandbox') return sandbox.show(r, id);
        return { status: 200, body: core.view(core.find(r.account, id, 'board')) };
      },
    },
    {
      method: 'PATCH',
      path: ROUTES.session,
      summary: "Change a live session's idle window or credit budget.",
      body: PatchSessionBody,
      handler: async (r) => {
        const id = idParam(r);
        const patch = await body(r, PatchSessionBody);
        return { status: 200, body: core.view(await changes.update(r.account, id, patch)) };
      },
    },
    {
      method: 'DELETE',
      path: ROUTES.session,
      summary: 'End a session (user_ended); an ended one is returned unchanged.',
      handler: async (r) => {
        const id = idParam(r);
        const host = remoteFor(r, remotes, here);
        if (host && !mirrored(r.account, id)) return { status: 200, body: fromRemote(remotes!, host, await upstream(host, 'DELETE', id)) };
        const s = await core.lookup(r.account, id);
        if (sandbox && s.kind === 'sandbox') return sandbox.end(r, id);
        if (s.kind !== 'board') throw new ApiError('not_found', `${id} is a ${s.kind} session: end it with \`fbay ${s.kind} end ${id}\`.`, { kind: s.kind });
        return { status: 200, body: core.view(await core.end(r.account, id)) };
      },
    },
  ];
}
