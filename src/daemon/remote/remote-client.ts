// Talks to another fbay daemon over HTTP(S) with an API key: JSON requests with timeouts and safe retries.
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { PassThrough, type Duplex, type Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

// undici is loaded with the first request to a remote host: a daemon with no remotes never pays for it at start.
type Undici = typeof import('undici');
let undici: Promise<Undici> | null = null;
const loadUndici = (): Promise<Undici> => (undici ??= import('undici'));
import { ApiError } from '../../transport/protocol/errors.js';
import { unreachable, upstreamError } from './remote-errors.js';
import { joinUrls } from '../../shared/join-urls.js';
import type { ReconnectingWebSocket } from '../../transport/reconnecting-websocket.js';
import { VERSION } from '../../shared/version.js';
import { systemClock, type Clock } from '../../shared/clock.js';

export interface RemoteConfig {
  /** http(s)://HOST:PORT, or several separated by commas (coordinators sharing one database), tried in turn. */
  url: string;
  key: string;
  /** A PEM CA to trust for a host with a self-signed certificate. */
  ca?: string;
}

export interface RemoteRequestOptions {
  body?: unknown;
  /** Bytes sent as they are (a flash upload), with the caller's content-type; instead of a JSON body. */
  raw?: Buffer;
  headers?: Record<string, string>;
  /** Retry network failures and 429/503 (honouring Retry-After): only for requests that are safe to repeat. */
  retry?: boolean;
  timeoutMs?: number;
}

const MAX_TRIES = 4;
/** How long one request to a host may take in all, tries included. */
const REQUEST_BUDGET_MS = 12_000;
const MAX_RETRY_WAIT_MS = 5000;

export class RemoteClient {
  private readonly bases: string[];
  private at = 0;
  private dispatcher: Dispatcher | null = null;

  constructor(
    readonly name: string,
    readonly config: RemoteConfig,
    /** Every wait and budget of this client, and of the links built on it (tests drive it with fake timers). */
    readonly clock: Clock = systemClock,
    /** Its connections, made another way than TCP (a joined host's, through its tunnel); throws as a refused connect does. */
    private readonly connect?: () => Duplex,
  ) {
    this.bases = joinUrls(config.url).map((u) => u.replace(/\/+$/, ''));
    if (this.bases.length === 0) throw new Error(`bug: remote '${name}' has no URL`);
  }

  /** The URL requests go to now: the first, until it stops answering and the next is tried. */
  get base(): string {
    return this.bases[this.at]!;
  }

  /** `base` did not answer: with several URLs, the next requests (and reconnects) go to the next one. */
  passOver(base: string): void {
    if (this.bases.length > 1 && base === this.base) this.at = (this.at + 1) % this.bases.length;
  }

  /** A WebSocket link to this remote: a try that fails (not the first, right after a drop) moves it to the next URL. */
  follow(rws: ReconnectingWebSocket): void {
    let dropped = false;
    rws.on('state', (state) => state === 'reconnecting' && (dropped = true));
    rws.on('retry', () => {
      if (dropped) dropped = false;
      else this.passOver(this.base);
    });
  }

  /** ws(s)://… for a path on the remote. */
  wsUrl(path: string): string {
    return `${this.base.replace(/^http/, 'ws')}${path}`;
  }

  get authHeader(): Record<string, string> {
    return this.config.key ? { authorization: `Bearer ${this.config.key}` } : {};
  }

  get wsOptions(): { ca?: Buffer; createConnection?: () => Socket } {
    const connect = this.connect;
    // ws (through node:http) takes any Duplex as its connection; its type names a net.Socket.
    if (connect) return { createConnection: () => failedAsStream(connect) as Socket };
    return this.config.ca ? { ca: readFileSync(this.config.ca) } : {};
  }

  async json<T>(method: string, path: string, options: RemoteRequestOptions = {}): Promise<{ status: number; body: T }> {
    // Retries share one budget: a host that answers slowly fails the request in bounded time, not per try.
    const until = this.clock.now() + (options.timeoutMs ?? REQUEST_BUDGET_MS);
    for (let attempt = 1; ; attempt++) {
      const left = until - this.clock.now();
      const base = this.base;
      let res: Dispatcher.ResponseData;
      try {
        const json: Record<string, string> = options.body === undefined ? {} : { 'content-type': 'application/json' };
        res = await this.request(base, method, path, {
          headers: { ...json, ...options.headers },
          body: options.raw ?? (options.body === undefined ? null : JSON.stringify(options.body)),
          timeoutMs: Math.max(1, left),
        });
      } catch (err) {
        this.passOver(base);
        // A refused connection never reached the host, so even a create may go to the next URL, at once.
        const elsewhere = this.base !== base && refused(err);
        if ((options.retry || elsewhere) && attempt < MAX_TRIES && until - this.clock.now() > 0) {
          if (!elsewhere) await wait(this.clock, Math.min(backoff(attempt), Math.max(0, until - this.clock.now())));
          continue;
        }
        throw this.unreachable(base, err);
      }
      const text = await res.body.text();
      const body = text ? safeJson(text) : undefined;
      if (res.statusCode < 400) return { status: res.statusCode, body: body as T };
      const retryAfter = Number(res.headers['retry-after']);
      if (options.retry && attempt < MAX_TRIES && (res.statusCode === 429 || res.statusCode === 503) && retryAfter * 1000 <= MAX_RETRY_WAIT_MS) {
        await wait(this.clock, Number.isFinite(retryAfter) ? retryAfter * 1000 : backoff(attempt));
        continue;
      }
      throw upstreamError(this.name, res.statusCode, body, this.base, res.headers);
    }
  }

  /** A GET whose answer is a file: its status, content type and body as a stream (an error's JSON becomes an ApiError). */
  download(path: string, timeoutMs = REQUEST_BUDGET_MS): Promise<Dispatcher.ResponseData> {
    return this.send('GET', path, { timeoutMs });
  }

  /**
   * One request, its body sent as it is (a stream passes through as it comes): the answer with its body as a
   * stream, an error's JSON as an ApiError. Tried again only at the next URL, when the connection was refused and
   * the body can be sent again. `timeoutMs` 0: no limit (a long exec; `signal` ends it).
   */
  async send(method: string, path: string, options: { headers?: Record<string, string>; body?: Readable | Buffer; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Dispatcher.ResponseData> {
    const timeoutMs = options.timeoutMs ?? REQUEST_BUDGET_MS;
    for (let tries = 1; ; tries++) {
      const base = this.base;
      let res: Dispatcher.ResponseData;
      try {
        res = await this.request(base, method, path, { headers: options.headers ?? {}, body: options.body ?? null, timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
      } catch (err) {
        if (options.signal?.aborted) throw err;
        this.passOver(base);
        const again = this.base !== base && refused(err) && !(options.body && !Buffer.isBuffer(options.body));
        if (again && tries < this.bases.length) continue;
        throw this.unreachable(base, err);
      }
      if (res.statusCode < 400) return res;
      const text = await res.body.text();
      throw upstreamError(this.name, res.statusCode, text ? safeJson(text) : undefined, this.base, res.headers);
    }
  }

  /** One request to `base`, with this remote's key and fbay's version (which the caller's headers do not replace). */
  private async request(base: string, method: string, path: string, o: { headers: Record<string, string>; body: Readable | Buffer | string | null; timeoutMs: number; signal?: AbortSignal }): Promise<Dispatcher.ResponseData> {
    const { request, dispatcher } = await this.http();
    return request(`${base}${path}`, {
      dispatcher,
      method: method as Dispatcher.HttpMethod,
      headers: { ...o.headers, ...this.authHeader, 'fbay-version': VERSION },
      body: o.body,
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
      ...(o.signal ? { signal: o.signal } : {}),
    });
  }

  /** No answer: for a joined host, through its tunnel (it is away); else over the network (see `unreachable`). */
  private unreachable(base: string, err: unknown): ApiError {
    if (!this.connect) return unreachable(this.name, base, err);
    return new ApiError('upstream_unavailable', `Joined host '${this.name}' did not answer through its tunnel: ${(err as Error).message}.`, {
      next: 'It is reconnecting or gone: `fbay daemon status` on the coordinator shows its link. Try again once it is back.',
    });
  }

  /** undici's request and this host's connection pool, made on first use. */
  private async http(): Promise<{ request: Undici['request']; dispatcher: Dispatcher }> {
    const { Agent, request } = await loadUndici();
    const connect = this.connect;
    // undici's connector answers later, never in the call: it is resuming its queue when it asks.
    const connector = connect
      ? (_: unknown, done: (err: Error | null, socket: Duplex | null) => void) => {
          let socket: Duplex;
          try {
            socket = connect();
          } catch (err) {
            return void setImmediate(() => done(err as Error, null));
          }
          setImmediate(() => done(null, socket));
        }
      : this.config.ca
        ? { ca: readFileSync(this.config.ca) }
        : {};
    this.dispatcher ??= new Agent({ connect: connector as never, keepAliveTimeout: 10_000 });
    return { request, dispatcher: this.dispatcher };
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
  }
}

/** A connection for ws: one that could not be made is a stream that fails at once, as a refused socket does. */
function failedAsStream(connect: () => Duplex): Duplex {
  try {
    return connect();
  } catch (err) {
    const stream = new PassThrough();
    setImmediate(() => stream.destroy(err as Error));
    return stream;
  }
}

/** The connection was refused (nothing listens there): the request was never seen by the host. */
function refused(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code === 'ECONNREFUSED' || e?.cause?.code === 'ECONNREFUSED';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: text.slice(0, 200) };
  }
}

const backoff = (attempt: number) => Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2);
const wait = (clock: Clock, ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
