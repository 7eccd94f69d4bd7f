// A request on a sandbox that runs on a joined host: checked, counted as activity and woken here like any (this
// coordinator's record is the session), then passed to the host through its tunnel under the id it has there, and
// answered as the host answers — a stream of events as it comes, a file as it is read.
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { JoinedSandboxes } from '../providers/sandbox/joined-sandboxes.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { hostAway } from '../hosts/joined-host.js';
import { sendError } from '../http/server.js';
import type { ApiRequest, Route } from '../http/router.js';
import type { SandboxRecord } from '../providers/sandbox/sandbox-record.js';
import type { SandboxSessions } from '../providers/sandbox/sandbox-sessions.js';
import { idParam } from './request.js';

/** Headers that belong to one hop, or to this coordinator's client (the host serves the coordinator's account). */
const HOP = new Set(['host', 'authorization', 'cookie', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-length', 'expect', 'te', 'trailer']);

/**
 * Each host's connections, kept open between requests: a stream opened per request would cost a round trip through
 * the tunnel and four control messages, and a busy client would soon pass the host's bound on those.
 */
const agents = new WeakMap<JoinedSandboxes, Map<string, Agent>>();

function agentFor(joined: JoinedSandboxes, host: string): Agent {
  let byHost = agents.get(joined);
  if (!byHost) agents.set(joined, (byHost = new Map()));
  let agent = byHost.get(host);
  if (!agent) {
    agent = new Agent({ keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 64, maxFreeSockets: 8 });
    // A connection is a stream through the host's tunnel; one that cannot be opened (the host is away) fails the request.
    // (Node's agent does not catch a throw there, so a refusal becomes a stream that fails at once, as a socket's does.)
    agent.createConnection = () => {
      try {
        return joined.hosts.stream(host) as Socket;
      } catch (err) {
        const refused = new PassThrough();
        setImmediate(() => refused.destroy(err as Error));
        return refused as unknown as Socket;
      }
    };
    byHost.set(host, agent);
  }
  return agent;
}

/** An answer's headers as they go back: its length too, since its body is passed on unchanged. */
export const answerHeaders = (headers: IncomingHttpHeaders): Record<string, string> => {
  const length = headers['content-length'];
  return { ...passHeaders(headers), ...(length ? { 'content-length': length } : {}) };
};

/** The headers of a request or an answer that go on to the next hop. */
export const passHeaders = (headers: IncomingHttpHeaders): Record<string, string> => Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP.has(k.toLowerCase())) as Array<[string, string]>);

/**
 * Wraps a sandbox route: for a sandbox on a joined host, the request is passed there as it came (its body too); for
 * one here, the route runs. `named` takes the id and counts the request against the plan's rate, once.
 */
export function orOnHost(route: Route, sessions: SandboxSessions, named: (r: ApiRequest) => string): Route {
  return {
    ...route,
    handler: async (r) => {
      if (!onHost(r, sessions)) return route.handler(r);
      const s = sessions.live(r.account, named(r));
      sessions.touch(s);
      await sessions.awake(s);
      return toHost(r, s, sessions);
    },
  };
}

/** Whether the sandbox a request names (the caller's) runs on a joined host; anything else is the route's to answer. */
function onHost(r: ApiRequest, sessions: SandboxSessions): boolean {
  try {
    return sessions.joinedOf(sessions.find(r.account, idParam(r))) !== null;
  } catch {
    return false;
  }
}

/** Passes the request to the sandbox's host: `body` in place of the request's own (read and checked here already). */
export function toHost(r: ApiRequest, s: SandboxRecord, sessions: SandboxSessions, body?: Buffer): Promise<'streaming'> {
  const on = sessions.joinedOf(s);
  if (!on) throw new ApiError('internal_error', `bug: sandbox ${s.id} does not run on a joined host`);
  const path = (r.req.url ?? '/').replace(/^\/v1\/sessions\/[^/?]+/, `/v1/sessions/${on.id}`);
  // An exec may run for minutes before its answer: no idle timeout on this hop (the client's going ends it).
  r.req.socket.setTimeout(0);
  return new Promise((resolve) => {
    const up = request({
      method: r.req.method,
      path,
      headers: { ...passHeaders(r.req.headers), host: `${on.host}.joined`, ...(body ? { 'content-length': String(body.length) } : {}) },
      agent: agentFor(on.joined, on.host),
    });
    up.on('response', (answer) => {
      const status = answer.statusCode ?? 502;
      answer.on('end', () => resolve('streaming'));
      answer.on('close', () => resolve('streaming'));
      if (status < 400) {
        r.res.writeHead(status, answerHeaders(answer.headers));
        return void answer.pipe(r.res);
      }
      // The host's sentence names its own id for the sandbox: the caller knows it by this coordinator's.
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8').split(on.id).join(s.id);
        r.res.writeHead(status, { ...passHeaders(answer.headers), 'content-length': Buffer.byteLength(text) });
        r.res.end(text);
      });
    });
    up.on('error', () => {
      if (!r.res.headersSent) sendError(r.res, hostAway(on.host));
      else r.res.destroy();
      resolve('streaming');
    });
    // A client that goes away takes its request on the host with it (an exec there is stopped).
    r.res.on('close', () => {
      if (!r.res.writableFinished) up.destroy();
      resolve('streaming');
    });
    if (body) up.end(body);
    else if (r.req.readableEnded || r.req.headers['content-length'] === '0' || (!r.req.headers['content-length'] && !r.req.headers['transfer-encoding'])) up.end();
    else r.req.pipe(up);
  });
}
