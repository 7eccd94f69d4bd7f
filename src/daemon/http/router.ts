// Matches a method and path to a handler from a typed route table; routes are plain data, no if/else chain.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GenericSchema } from 'valibot';
import { ApiError } from '../../transport/protocol/errors.js';

export interface ApiRequest {
  method: string;
  url: URL;
  params: Record<string, string>;
  account: string;
  req: IncomingMessage;
  res: ServerResponse;
}

export interface JsonReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A handler either returns a JSON reply or takes over the response itself (SSE) and returns 'streaming'. */
export type Handler = (r: ApiRequest) => Promise<JsonReply | 'streaming'> | JsonReply | 'streaming';

export interface Route {
  method: string;
  path: string;
  handler: Handler;
  /** Answered without an API key on TCP (the health check); still rate-limited there. */
  public?: boolean;
  /** For the OpenAPI document: what it does, and the schemas its handler parses the request with. */
  summary?: string;
  body?: GenericSchema;
  query?: GenericSchema;
  /**
   * The handler sends `100 Continue` itself once the headers have passed its checks (a flash upload): a client that
   * sent `Expect: 100-continue` then sends nothing of a body that is refused. Others get it before their handler runs.
   */
  asksForBody?: boolean;
}

interface Compiled extends Route {
  regex: RegExp;
  names: string[];
}

export type Match = { handler: Handler; params: Record<string, string>; public: boolean; asksForBody: boolean };

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError('invalid_request', `The path segment '${segment.slice(0, 64)}' is not valid percent-encoding (UTF-8); check the URL.`);
  }
}

export class Router {
  private readonly compiled: Compiled[] = [];

  add(routes: Route[]): this {
    for (const r of routes) {
      const names: string[] = [];
      // `:name` is one path segment; `*name` (last) is the rest of the path, slashes and all (a file path).
      const pattern = r.path.replace(/([:*])([a-z_]+)/g, (_, sigil: string, name: string) => {
        names.push(name);
        return sigil === '*' ? '(.*)' : '([^/]+)';
      });
      this.compiled.push({ ...r, regex: new RegExp(`^${pattern}/?$`), names });
    }
    return this;
  }

  get routes(): readonly Route[] {
    return this.compiled;
  }

  /** The handler and params for a request; a 405 with `Allow` when only the method is wrong; null when no path fits. */
  match(method: string, path: string): Match | null {
    const allowed: string[] = [];
    // HEAD is GET without a body (node:http drops the body for HEAD itself).
    const wanted = method === 'HEAD' ? 'GET' : method;
    for (const r of this.compiled) {
      const m = r.regex.exec(path);
      if (!m) continue;
      if (r.method !== wanted) {
        allowed.push(r.method);
        continue;
      }
      const params: Record<string, string> = {};
      r.names.forEach((name, i) => Object.defineProperty(params, name, { value: decode(m[i + 1]!), enumerable: true }));
      return { handler: r.handler, params, public: r.public === true, asksForBody: r.asksForBody === true };
    }
    if (allowed.length === 0) return null;
    const allow = [...new Set(allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed)].join(', ');
    throw new ApiError('method_not_allowed', `${method} is not supported on ${path}; use ${allow}.`, {}, { allow });
  }
}
