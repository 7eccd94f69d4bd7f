// A sandbox request for a remote host (`--remote NAME`, or config default_remote): passed to that host as it came,
// under the remote's key, and answered as it answers — an exec's events as they come, a file as it is read. The
// sandbox is the remote's own: this daemon keeps no record of it (nothing is mirrored, as boards and browsers are).
import type { ApiRequest, Route } from '../http/router.js';
import { answerHeaders, passHeaders } from './sandbox-forward.js';
import { fromRemote, REMOTE_HEADER, remoteFor, type RemoteRouting } from './remote-target.js';

/** Wraps a sandbox route: run here, or passed to the remote the request is for. */
export function orOnRemote(route: Route, routing: RemoteRouting | undefined, isHere: (id: string) => boolean): Route {
  if (!routing) return route;
  return {
    ...route,
    handler: async (r) => {
      const host = remoteFor(r, routing, isHere);
      return host === null ? route.handler(r) : toRemote(r, routing, host);
    },
  };
}

/**
 * Passes the request to `host` (`body` in place of the request's own, read here already); its answer is the client's
 * (`created`: a create's, with the sandbox as this daemon shows a remote's).
 */
export async function toRemote(r: ApiRequest, routing: RemoteRouting, host: string, body?: Buffer, created = false): Promise<'streaming'> {
  const { req, res } = r;
  const headers = passHeaders(req.headers);
  delete headers[REMOTE_HEADER]; // the remote serves it itself; it reaches no further
  const length = req.headers['content-length'];
  const hasBody = body !== undefined || (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (body === undefined && length !== undefined) headers['content-length'] = length;
  // An exec may run for minutes before its answer; a client that goes away takes its request there with it.
  req.socket.setTimeout(0);
  const abort = new AbortController();
  res.on('close', () => res.writableFinished || abort.abort());
  const answer = await routing.hosts.client(host).send(req.method ?? 'GET', req.url ?? '/', {
    headers,
    ...(hasBody ? { body: body ?? req } : {}),
    timeoutMs: 0,
    signal: abort.signal,
  });
  if (created && answer.statusCode === 201) {
    // The new sandbox as this daemon shows it (its URL one that opens here): a small JSON answer, read whole.
    const s = fromRemote(routing, host, (await answer.body.json()) as object);
    const text = JSON.stringify(s);
    res.writeHead(201, { ...answerHeaders(answer.headers), 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
    return 'streaming';
  }
  res.writeHead(answer.statusCode, answerHeaders(answer.headers));
  answer.body.on('error', () => res.destroy());
  answer.body.pipe(res);
  return 'streaming';
}
