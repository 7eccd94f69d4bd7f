// Talks to the fbay daemon over its Unix socket with node:http: JSON in and out, the version handshake, API errors.
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { UserError } from '../../shared/user-error.js';
import { VERSION } from '../../shared/version.js';
import {
  daemonNotRunning,
  fromErrorResponse,
  interrupted,
  isNotListening,
  lostDaemon,
  versionMismatch,
} from './daemon-errors.js';

export const VERSION_HEADER = 'fbay-version';

export interface DaemonClientOptions {
  socketPath: string;
  /** Off only for `daemon stop|restart|status`, which must work across versions. Default on. */
  checkVersion?: boolean;
  /** Called at most once, when nothing listens on the socket; the request is then retried (it never reached a daemon). */
  startDaemon?: () => Promise<void>;
  signal?: AbortSignal;
  /** How long the connection may stay silent, in ms. */
  timeoutMs?: number;
  /** Sent with every request, e.g. `fbay-remote: lab` for --remote. */
  headers?: Record<string, string>;
}

export interface Reply<T> {
  status: number;
  headers: IncomingHttpHeaders;
  body: T;
}

export class DaemonClient {
  private startDaemon: (() => Promise<void>) | undefined;

  constructor(private readonly options: DaemonClientOptions) {
    this.startDaemon = options.startDaemon;
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  /** The same daemon, never started by this client: for reconnects, where a daemon that is gone must be reported. */
  withoutAutoStart(): DaemonClient {
    return new DaemonClient({ ...this.options, startDaemon: undefined });
  }

  /** The same daemon, for cleanup after Ctrl-C: its requests are not cancelled by the interrupt that caused them. */
  uninterruptible(): DaemonClient {
    return new DaemonClient({ ...this.options, signal: undefined });
  }

  async get<T>(path: string): Promise<T> {
    return (await this.json<T>('GET', path)).body;
  }

  async post<T>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    return (await this.json<T>('POST', path, body, headers)).body;
  }

  async delete<T>(path: string): Promise<T> {
    return (await this.json<T>('DELETE', path)).body;
  }

  async json<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return this.reply<T>(await this.send(method, path, payload, headers, this.options.timeoutMs ?? 30_000), method, path);
  }

  /**
   * Sends bytes as they are (a flash upload); the caller's headers say what they are. The body goes only once the
   * daemon has checked the headers (`Expect: 100-continue`): one it refuses (413) is answered, not cut off mid-write.
   */
  async upload<T>(path: string, payload: Buffer, headers: Record<string, string>, timeoutMs = 180_000): Promise<Reply<T>> {
    return this.reply<T>(await this.send('POST', path, payload, { ...headers, expect: '100-continue' }, timeoutMs), 'POST', path);
  }

  private async reply<T>(res: IncomingMessage, method: string, path: string): Promise<Reply<T>> {
    const text = await this.guard(readText(res));
    const parsed = text === '' ? undefined : parseJson(text, method, path);
    if ((res.statusCode ?? 500) >= 400) throw fromErrorResponse(res.statusCode ?? 500, parsed, header(res, 'retry-after'));
    return { status: res.statusCode ?? 200, headers: res.headers, body: parsed as T };
  }

  /** Raw bytes both ways (a sandbox's files); an error answer is still the API's JSON error. */
  async raw(method: string, path: string, body?: Buffer): Promise<Reply<Buffer>> {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/octet-stream', 'content-length': String(body.length) };
    const res = await this.send(method, path, body, headers, this.options.timeoutMs ?? 30_000);
    const bytes = await this.guard(readBytes(res));
    if ((res.statusCode ?? 500) >= 400) throw fromErrorResponse(res.statusCode ?? 500, bytes.length ? parseJson(bytes.toString('utf8'), method, path) : undefined, header(res, 'retry-after'));
    return { status: res.statusCode ?? 200, headers: res.headers, body: bytes };
  }

  /** Opens a long-lived response (Server-Sent Events); resolves once the daemon has answered with its headers. */
  async stream(path: string, idleTimeoutMs = 45_000, post?: unknown): Promise<IncomingMessage> {
    const payload = post === undefined ? undefined : JSON.stringify(post);
    const res = await this.send(post === undefined ? 'GET' : 'POST', path, payload, { accept: 'text/event-stream' }, idleTimeoutMs);
    if ((res.statusCode ?? 500) >= 400) {
      const text = await this.guard(readText(res));
      throw fromErrorResponse(res.statusCode ?? 500, text ? parseJson(text, 'GET', path) : undefined, header(res, 'retry-after'));
    }
    return res;
  }

  /** A file the daemon streams (a browser artifact); resolves once it has answered with its headers. */
  async download(path: string, idleTimeoutMs = 60_000): Promise<IncomingMessage> {
    const res = await this.send('GET', path, undefined, { accept: '*/*' }, idleTimeoutMs);
    if ((res.statusCode ?? 500) >= 400) {
      const text = await this.guard(readText(res));
      throw fromErrorResponse(res.statusCode ?? 500, text ? parseJson(text, 'GET', path) : undefined);
    }
    return res;
  }

  private async send(
    method: string,
    path: string,
    payload: string | Buffer | undefined,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<IncomingMessage> {
    try {
      return await this.guard(this.once(method, path, payload, headers, timeoutMs));
    } catch (err) {
      const start = this.startDaemon;
      if (!(err instanceof UserError && err.code === 'daemon_not_running') || !start) throw err;
      this.startDaemon = undefined;
      await start();
      return this.guard(this.once(method, path, payload, headers, timeoutMs));
    }
  }

  private once(
    method: string,
    path: string,
    payload: string | Buffer | undefined,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<IncomingMessage> {
    const { socketPath, signal, checkVersion = true } = this.options;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath,
          method,
          path,
          agent: false,
          signal,
          headers: {
            [VERSION_HEADER]: VERSION,
            accept: 'application/json',
            ...this.options.headers,
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
            ...headers,
          },
        },
        (res) => {
          const theirs = header(res, VERSION_HEADER);
          if (checkVersion && theirs !== VERSION) {
            res.destroy();
            reject(versionMismatch(theirs));
            return;
          }
          resolve(res);
        },
      );
      req.setTimeout(timeoutMs, () => {
        req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000}s`), { code: 'ETIMEDOUT' }));
      });
      req.on('error', reject);
      if (headers.expect !== '100-continue') return void req.end(payload);
      // Written once asked for; an answer instead of 100 Continue (a refusal) means it is never sent.
      req.once('continue', () => req.end(payload));
      req.once('response', (res) => res.once('end', () => req.writableEnded || req.destroy()));
    });
  }

  /** Maps low-level failures of a step to the errors users see. */
  private async guard<T>(step: Promise<T>): Promise<T> {
    try {
      return await step;
    } catch (err) {
      if (err instanceof UserError) throw err;
      if (this.options.signal?.aborted) throw interrupted();
      if (isNotListening(err)) throw daemonNotRunning(this.options.socketPath, err);
      throw lostDaemon(this.options.socketPath, err);
    }
  }
}

function header(res: IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBytes(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
  });
}

function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function parseJson(text: string, method: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new Error(`bug: the daemon's answer to ${method} ${path} is not JSON: ${text.slice(0, 200)}`, { cause });
  }
}
