// Coordinators sharing PostgreSQL: a request for a session another coordinator runs — its serial console, flash, log,
// power, reset, a browser's CDP — is passed through to that coordinator as it came, key and all (API keys live in
// the shared database, so the owner authenticates it itself). Shown, listed and ended, a session needs no owner: those
// go through the store wherever they arrive.
import { request as httpRequest, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { ApiError } from '../../transport/protocol/errors.js';
import { HEADERS } from '../../transport/protocol/headers.js';
import { refuseUpgrade, sendError } from '../http/server.js';

/** Set on a forwarded request: the coordinator it came through (a request is forwarded once, never in a circle). */
export const FORWARDED_HEADER = HEADERS.forwardedBy;

/** Errors of a connection that was never made: the request did not reach the owner, so it may go elsewhere. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

/** When to try again after a coordinator refused the connection (it stopped): its joined hosts move meanwhile. */
const RETRY_GONE_S = 2;

/** How long a coordinator's URL is taken from the last read of the fleet. */
const DIRECTORY_TTL_MS = 2000;

export interface PeerDirectory {
  /** The URL each coordinator serves on, as its heartbeats say. */
  coordinators(): Promise<Array<{ id: string; url: string | null }>>;
}

/** How `http` passes a request on (see there). */
export interface ForwardOptions {
  /** The route reads the body only after asking (`Expect: 100-continue`): the owner's 100 is passed on. */
  asksForBody?: boolean;
  /** The body, read here already, sent in the request's place. */
  json?: unknown;
  /** A refused connection resolves 'refused', with nothing said to the client. */
  orElse?: boolean;
  /** What to answer for the owner's 201 instead of its body. */
  created?: (body: { id?: unknown }) => Promise<unknown>;
}

export class PeerForward {
  private cached: { at: number; urls: Map<string, string | null> } | null = null;

  constructor(
    private readonly me: string,
    private readonly directory: PeerDirectory,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Passes an HTTP request through to `owner`; its answer (status, headers, body) goes back as it comes. `json`: the
   * body already read here (a create this coordinator could not serve), sent in its place. Resolves once the owner
   * answers or fails; with `orElse`, a connection the owner refused (nothing of the request reached it) resolves
   * 'refused' with nothing said to the client, who may then be served elsewhere. `created`: a 201's JSON body as
   * this coordinator answers it instead (the session as it shows it).
   */
  async http(req: IncomingMessage, res: ServerResponse, owner: string, what: string, o: ForwardOptions = {}): Promise<'answered' | 'refused'> {
    const { asksForBody = false, json, orElse = false, created } = o;
    let up: ClientRequest;
    try {
      up = this.open(req, await this.urlOf(owner, what), asksForBody);
    } catch (err) {
      sendError(res, err as ApiError);
      return 'answered';
    }
    const outcome = new Promise<'answered' | 'refused'>((resolve) => {
      // A flash upload asks first: the owner's 100 Continue is the client's (other routes had theirs already, here).
      up.on('continue', () => res.writeContinue());
      up.on('response', (answer) => {
        resolve('answered');
        if (created && answer.statusCode === 201) return void answerCreated(answer, res, created).catch(() => res.destroy());
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      up.on('error', (err: NodeJS.ErrnoException) => {
        if (orElse && !res.headersSent && NEVER_CONNECTED.has(err.code ?? '')) return resolve('refused');
        if (!res.headersSent) sendError(res, unreachable(owner, what, err));
        else res.destroy();
        resolve('answered');
      });
    });
    if (json === undefined) {
      req.pipe(up);
      return outcome;
    }
    const payload = JSON.stringify(json);
    up.setHeader('content-length', Buffer.byteLength(payload));
    up.removeHeader('transfer-encoding');
    up.end(payload);
    return outcome;
  }

  /** Passes a WebSocket upgrade through to `owner`: once it switches protocols, bytes flow both ways untouched. */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, owner: string, what: string): Promise<void> {
    let up: ClientRequest;
    try {
      up = this.open(req, await this.urlOf(owner, what));
    } catch (err) {
      return refuseUpgrade(socket, err as ApiError);
    }
    socket.on('error', () => up.destroy());
    up.on('upgrade', (answer, upstream, upstreamHead) => {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\n${rawHeaders(answer)}\r\n`);
      if (upstreamHead.length) socket.write(upstreamHead);
      if (head.length) upstream.write(head);
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
      upstream.on('close', () => socket.destroy());
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    // The owner refused (the session ended meanwhile, a key it does not take): its answer is the client's.
    up.on('response', (answer) => {
      socket.write(`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}\r\n${rawHeaders(answer)}\r\n`);
      answer.pipe(socket);
    });
    up.on('error', (err: NodeJS.ErrnoException) => refuseUpgrade(socket, unreachable(owner, what, err)));
    up.end();
  }

  private open(req: IncomingMessage, base: string, asksForBody = false): ClientRequest {
    const target = new URL(req.url ?? '/', base);
    const { expect, ...rest } = req.headers;
    const headers = { ...rest, ...(asksForBody && expect ? { expect } : {}), host: target.host, [FORWARDED_HEADER]: this.me };
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return send(target, { method: req.method, headers });
  }

  private async urlOf(owner: string, what: string): Promise<string> {
    // Read again when old, or when it lacks the owner (a coordinator that started since).
    if (!this.cached || this.now() - this.cached.at > DIRECTORY_TTL_MS || !this.cached.urls.has(owner)) {
      const rows = await this.directory.coordinators().catch((err: Error) => {
        throw new ApiError('store_unavailable', `Could not look up coordinator ${owner} (${what} there): ${err.message}. Try again shortly.`, {}, { 'retry-after': '2' });
      });
      this.cached = { at: this.now(), urls: new Map(rows.map((r) => [r.id, r.url])) };
    }
    const url = this.cached.urls.get(owner);
    if (!url) {
      throw new ApiError('upstream_unavailable', `${what} on coordinator ${owner}, which serves no TCP address this coordinator can reach; connect to ${owner} itself.`, { coordinator: owner });
    }
    return url;
  }
}

/**
 * The owner did not answer. A connection it refused (it stopped, and its heartbeat has not run out yet) is worth
 * retrying in a moment: its joined hosts dial another coordinator, which takes over their sessions.
 */
function unreachable(owner: string, what: string, err: NodeJS.ErrnoException): ApiError {
  const stopped = NEVER_CONNECTED.has(err.code ?? '');
  const next = stopped
    ? `If it stopped, its joined hosts move to another coordinator within seconds, their boards and sessions with them: try again in ${RETRY_GONE_S} s, or connect to ${owner} itself.`
    : `Try again, or connect to ${owner} itself.`;
  return new ApiError('upstream_unavailable', `${what} on coordinator ${owner}, which did not answer (${err.message}). ${next}`, { coordinator: owner }, stopped ? { 'retry-after': String(RETRY_GONE_S) } : {});
}

/** A create's 201 from the owner, answered with this coordinator's view of it (the owner's, if that fails). */
async function answerCreated(answer: IncomingMessage, res: ServerResponse, view: NonNullable<ForwardOptions['created']>): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of answer) chunks.push(c as Buffer);
  const theirs = Buffer.concat(chunks);
  const ours = await view(JSON.parse(theirs.toString('utf8')) as { id?: unknown }).then((b) => Buffer.from(JSON.stringify(b)), () => theirs);
  const { 'content-length': _length, 'transfer-encoding': _encoding, ...headers } = answer.headers;
  res.writeHead(201, { ...headers, 'content-length': ours.length });
  res.end(ours);
}

function rawHeaders(answer: IncomingMessage): string {
  let out = '';
  for (let i = 0; i < answer.rawHeaders.length; i += 2) out += `${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}\r\n`;
  return out;
}
