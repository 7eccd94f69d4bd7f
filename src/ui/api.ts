// The page's calls to its own origin: /v1 through the dashboard with the login's CSRF header, tickets, login state.
import type { ErrorBody } from '../transport/protocol/api.js';

export const CSRF_HEADER = 'x-fbay-csrf';
const CSRF_KEY = 'fbay.csrf';

/** Kept per origin (port included), which is what keeps another local server that was sent the cookie from using it. */
export const csrf = {
  get: (): string => localStorage.getItem(CSRF_KEY) ?? '',
  set: (value: string) => localStorage.setItem(CSRF_KEY, value),
  clear: () => localStorage.removeItem(CSRF_KEY),
};

/** An answer of the API that was not 2xx, with the API's sentence; `status` 0 when the daemon did not answer at all. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Partial<ErrorBody> = {},
  ) {
    super(message);
  }
}

export const isUnreachable = (err: unknown) => err instanceof ApiFailure && err.status === 0;

/** `body`: JSON for a value, sent as it is for a Blob (files: the browser streams them, they are never read in here). */
export async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  let res: Response;
  const raw = body instanceof Blob;
  try {
    res = await fetch(path, {
      method,
      headers: { [CSRF_HEADER]: csrf.get(), accept: 'application/json', ...(body === undefined || raw ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? null : raw ? body : JSON.stringify(body),
      ...(signal ? { signal } : {}),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiFailure(0, 'daemon_unavailable', 'The fbay daemon does not answer. It may be restarting; the page retries by itself.');
  }
  if (!res.ok) {
    const parsed = (await res.json().catch(() => ({}))) as Partial<ErrorBody>;
    throw new ApiFailure(res.status, parsed.code ?? 'error', parsed.error ?? `${method} ${path} failed with HTTP ${res.status}.`, parsed);
  }
  return res;
}

const early = new Map<string, Promise<Response>>();

/** Starts a GET now for the first `api('GET', path)` to take (the page's first data, asked for before React runs). */
export function prefetch(path: string): void {
  const p = request('GET', path);
  p.catch(() => undefined); // the taker sees the failure
  early.set(path, p);
}

export async function api<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  const taken = method === 'GET' ? early.get(path) : undefined;
  if (taken) early.delete(path);
  const res = await (taken ?? request(method, path, body, headers));
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** A single-use ticket that opens `path` (a WebSocket or the event stream) within 30 s. */
export async function ticket(path: string): Promise<string> {
  return (await api<{ ticket: string }>('POST', '/ui/ticket', { path })).ticket;
}

export interface Me {
  logged_in: boolean;
  account?: string;
  owner?: boolean;
  via?: 'token' | 'key';
  expires_at?: string;
  /** How to log in when not logged in: the owner's `fbay ui` link, or an API key. */
  login: 'token' | 'key';
  why?: string;
}

export const getMe = () => api<Me>('GET', '/ui/me');

export function wsUrl(path: string, query: Record<string, string>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}?${new URLSearchParams(query)}`;
}

export const newIdempotencyKey = () => `ui-${crypto.randomUUID()}`;
