// Matches a method and path to a handler from a typed route table; routes are plain data, no if/else chain.
import type { IncomingMessage, ServerResponse } from 'node:http';

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
}

interface Compiled extends Route {
  regex: RegExp;
  names: string[];
}

export class Router {
  private readonly routes: Compiled[] = [];

  add(routes: Route[]): this {
    for (const r of routes) {
      const names: string[] = [];
      const pattern = r.path.replace(/:([a-z_]+)/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      this.routes.push({ ...r, regex: new RegExp(`^${pattern}/?$`), names });
    }
    return this;
  }

  /** The handler and params for a request; `allowed` lists methods when only the method is wrong. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string>; public: boolean } | { allowed: string[] } | null {
    const allowed: string[] = [];
    // HEAD is GET without a body (node:http drops the body for HEAD itself).
    const wanted = method === 'HEAD' ? 'GET' : method;
    for (const r of this.routes) {
      const m = r.regex.exec(path);
      if (!m) continue;
      if (r.method !== wanted) {
        allowed.push(r.method);
        continue;
      }
      const params: Record<string, string> = {};
      r.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      return { handler: r.handler, params, public: r.public === true };
    }
    return allowed.length ? { allowed } : null;
  }
}
