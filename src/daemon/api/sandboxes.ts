// Routes for sandbox sessions (DESIGN §4, seed 001): the sandbox side of POST/GET/DELETE /v1/sessions, exec,
// and background processes. Every one is rate-limited per plan and counts as activity on the sandbox it names.
import type { Clock } from '../../shared/clock.js';
import { ROUTES } from '../../transport/protocol/paths.js';
import type { SandboxProcessOutput, SandboxSession } from '../../transport/protocol/sandbox-api.js';
import { parseWith } from '../../transport/protocol/schema-kit.js';
import { CreateSandboxBody, ExecBody, processId, ProcessOutputQuery } from '../../transport/protocol/schemas/sandboxes.js';
import type { ApiRequest, JsonReply, Route } from '../http/router.js';
import { checkTtl } from '../providers/sandbox/sandbox-admission.js';
import type { SandboxRecord } from '../providers/sandbox/sandbox-record.js';
import type { SandboxSessions } from '../providers/sandbox/sandbox-sessions.js';
import type { SessionCore } from '../sessions/session-core.js';
import { runExec } from './sandbox-exec.js';
import { fileRoutes } from './sandbox-files.js';
import { orOnHost } from './sandbox-forward.js';
import { orOnRemote, toRemote } from './sandbox-remote.js';
import { remoteFor, type RemoteRouting } from './remote-target.js';
import { SandboxRateLimit } from './sandbox-rate.js';
import { idempotencyKey, idParam, query } from './request.js';

/** On a coordinator: a sandbox or browser create it would run itself, passed to another whose joined host has room. */
export interface PlacedElsewhere {
  placed(r: ApiRequest, kind: 'sandbox' | 'browser', body: object): Promise<boolean>;
}

/** What the sessions routes hand over when a request is about a sandbox. */
export interface SandboxApi {
  /** A create body for a sandbox: `kind: "sandbox"`, or neither `kind` nor a board field (as seed 001 sends it). */
  isFor(body: unknown): boolean;
  create(r: ApiRequest, body: unknown): Promise<JsonReply | 'streaming'>;
  show(r: ApiRequest, id: string): JsonReply;
  end(r: ApiRequest, id: string): Promise<JsonReply>;
}

const has = (body: object, key: string) => Object.hasOwn(body, key);

export function sandboxApi(core: SessionCore, sessions: SandboxSessions, clock: Clock, routing?: RemoteRouting, elsewhere?: PlacedElsewhere): { api: SandboxApi; routes: Route[] } {
  const rate = new SandboxRateLimit(clock, (account) => core.accounts.limits(account).sandbox);
  const view = (s: SandboxRecord) => core.view(s) as SandboxSession;
  /** The sandbox a route names, after counting the request against the plan's rate. */
  const named = (r: ApiRequest) => {
    const id = idParam(r);
    rate.take(r);
    return id;
  };
  const api: SandboxApi = {
    isFor: (body) =>
      typeof body === 'object' && body !== null && !Array.isArray(body) && (has(body, 'kind') ? (body as { kind: unknown }).kind === 'sandbox' : !has(body, 'board_type') && !has(body, 'board_id')),
    async create(r, body) {
      // For a remote, its plan and its schema apply: the body goes there as it was sent.
      const remote = remoteFor(r, routing, () => false);
      if (remote !== null) return toRemote(r, routing!, remote, Buffer.from(JSON.stringify(body)), true);
      rate.take(r);
      // Before the schema, so that a TTL of the wrong type is refused with the plan's range too.
      if (Object.hasOwn(body as object, 'ttl')) checkTtl((body as { ttl: unknown }).ttl, core.accounts.limits(r.account).sandbox);
      const req = parseWith(CreateSandboxBody, body);
      // On a coordinator whose own joined hosts are full: to one whose host has room, before running it here.
      if (elsewhere && !sessions.hostRoom && (await elsewhere.placed(r, 'sandbox', body as object))) return 'streaming';
      const s = (await core.create(r.account, 'sandbox', req, { idempotencyKey: idempotencyKey(r) })) as SandboxRecord;
      return { status: 201, body: view(s) };
    },
    // Looking at the record is not using the sandbox: it neither wakes it nor counts as its activity.
    show: (r, id) => (rate.take(r), { status: 200, body: view(sessions.find(r.account, id)) }),
    async end(r, id) {
      rate.take(r);
      sessions.find(r.account, id);
      return { status: 200, body: view((await core.end(r.account, id, 'sandbox')) as SandboxRecord) };
    },
  };
  const routes: Route[] = [
    {
      method: 'POST',
      path: ROUTES.exec,
      summary: 'Run code (Bun: ts, js) or a shell command in a sandbox; stream: true answers with SSE; background: true starts a process.',
      body: ExecBody,
      handler: (r) => runExec(r, named(r), { sessions, clock }),
    },
    {
      method: 'GET',
      path: ROUTES.processes,
      summary: "A sandbox's background processes.",
      handler: async (r) => {
        const { box } = await sessions.use(r.account, named(r));
        return { status: 200, body: { processes: box.processes() } };
      },
    },
    {
      method: 'GET',
      path: ROUTES.processOutput,
      summary: "A background process's output from byte offset ?since= (stdout and stderr interleaved); `next` reads on.",
      query: ProcessOutputQuery,
      handler: async (r) => {
        const id = named(r);
        const pid = parseWith(processId, r.params.pid, 'The process id');
        const q = query(r, ProcessOutputQuery);
        const { box } = await sessions.use(r.account, id);
        const out = box.output(pid, q.since ?? 0);
        const encoding = q.encoding ?? 'utf8';
        const body: SandboxProcessOutput = { pid, data: out.data.toString(encoding), encoding, next: out.next, lost: out.lost, ended: out.ended, exit_code: out.exit_code };
        return { status: 200, body };
      },
    },
    {
      method: 'DELETE',
      path: ROUTES.process,
      summary: 'Kill a background process and everything it started (an on_wake one is not started again).',
      handler: async (r) => {
        const id = named(r);
        const pid = parseWith(processId, r.params.pid, 'The process id');
        const { box } = await sessions.use(r.account, id);
        return { status: 200, body: await box.kill(pid) };
      },
    },
    ...fileRoutes(sessions, named),
  ];
  // A sandbox on a joined host is used there; exec and file writes check their bodies here first, then pass them on.
  const passed = (route: Route) => route.path !== ROUTES.exec && route.method !== 'PUT';
  const here = (id: string) => core.get(id) !== undefined;
  return { api, routes: routes.map((route) => orOnRemote(passed(route) ? orOnHost(route, sessions, named) : route, routing, here)) };
}
