// Talks to another fbay daemon over HTTP(S) with an API key: JSON requests with timeouts and safe retries.
import { readFileSync } from 'node:fs';
import { Agent, request, type Dispatcher } from 'undici';
import { ApiError, isErrorCode } from '../../transport/protocol/errors.js';
import { VERSION } from '../../shared/version.js';

export interface RemoteConfig {
  url: string;
  key: string;
  /** A PEM CA to trust for a host with a self-signed certificate. */
  ca?: string;
}

export interface RemoteRequestOptions {
  body?: unknown;
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
  readonly base: string;
  private readonly dispatcher: Dispatcher;

  constructor(
    readonly name: string,
    readonly config: RemoteConfig,
  ) {
    this.base = config.url.replace(/\/+$/, '');
    this.dispatcher = new Agent({ connect: config.ca ? { ca: readFileSync(config.ca) } : {}, keepAliveTimeout: 10_000 });
  }

  /** ws(s)://… for a path on the remote. */
  wsUrl(path: string): string {
    return `${this.base.replace(/^http/, 'ws')}${path}`;
  }

  get authHeader(): Record<string, string> {
    return { authorization: `Bearer ${this.config.key}` };
  }

  get wsOptions(): { ca?: Buffer } {
    return this.config.ca ? { ca: readFileSync(this.config.ca) } : {};
  }

  async json<T>(method: string, path: string, options: RemoteRequestOptions = {}): Promise<{ status: number; body: T }> {
    // Retries share one budget: a host that answers slowly fails the request in bounded time, not per try.
    const until = Date.now() + (options.timeoutMs ?? REQUEST_BUDGET_MS);
    for (let attempt = 1; ; attempt++) {
      const left = until - Date.now();
      let res: Dispatcher.ResponseData;
      try {
        res = await request(`${this.base}${path}`, {
          dispatcher: this.dispatcher,
          method: method as Dispatcher.HttpMethod,
          headers: {
            ...this.authHeader,
            'fbay-version': VERSION,
            ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...options.headers,
          },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          headersTimeout: Math.max(1, left),
          bodyTimeout: Math.max(1, left),
        });
      } catch (err) {
        if (options.retry && attempt < MAX_TRIES && until - Date.now() > 0) {
          await wait(Math.min(backoff(attempt), Math.max(0, until - Date.now())));
          continue;
        }
        throw new ApiError('upstream_unavailable', `Remote '${this.name}' (${this.base}) did not answer: ${(err as Error).message}.`, {}, {});
      }
      const text = await res.body.text();
      const body = text ? safeJson(text) : undefined;
      if (res.statusCode < 400) return { status: res.statusCode, body: body as T };
      const retryAfter = Number(res.headers['retry-after']);
      if (options.retry && attempt < MAX_TRIES && (res.statusCode === 429 || res.statusCode === 503) && retryAfter * 1000 <= MAX_RETRY_WAIT_MS) {
        await wait(Number.isFinite(retryAfter) ? retryAfter * 1000 : backoff(attempt));
        continue;
      }
      throw upstreamError(this.name, res.statusCode, body);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

/** The remote's own error, passed on with its code, and the remote named so the user knows where it came from. */
function upstreamError(name: string, status: number, body: unknown): ApiError {
  const b = (body ?? {}) as { error?: unknown; code?: unknown };
  const message = typeof b.error === 'string' ? b.error : `HTTP ${status}`;
  if (status === 401) {
    return new ApiError('upstream_unavailable', `Remote '${name}' refused the API key: ${message} Fix it with \`fbay remote add ${name} URL --key KEY\`.`);
  }
  const code = isErrorCode(b.code) ? b.code : 'upstream_unavailable';
  return new ApiError(code, `${name}: ${message}`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: text.slice(0, 200) };
  }
}

const backoff = (attempt: number) => Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2);
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
