// The web relay a loopback HTTP listener mounts: `ses-….localhost` (or `PORT-ses-….localhost`) names the sandbox
// and port; a secret (once in the URL, then a cookie) lets the request in; then HTTP and WebSocket upgrades go
// through as bytes to 127.0.0.1:PORT inside the sandbox.
import { timingSafeEqual } from 'node:crypto';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export const DEFAULT_APP_PORT = 3000;
export const TOKEN = 'fbay_token';
const HOST = /^(?:(\d{1,5})-)?(ses-[a-z0-9_-]{1,64})\.localhost$/;

export interface WebRelayDeps {
  /** The session a host label names (`ses-…`, lower case as browsers send it) and its secret; null if none. */
  lookup(label: string): { id: string; secret: string } | null;
  /** One `lookup` does not know: a remote host's sandbox, reached through this listener (`open` connects to it too). */
  elsewhere?(label: string): Promise<{ id: string; secret: string } | null>;
  /** Wakes or thaws the sandbox as needed (it is activity), then opens the stream, e.g. `box.connect(port)`. */
  open(id: string, port: number): Promise<Duplex>;
  /** Bytes went through for the sandbox, either way (it counts as activity); called for every chunk. */
  traffic?(id: string): void;
}

/** `3001-ses-abc.localhost:8080` → label `ses-abc`, port 3001; null for any other host. */
export function parseRelayHost(host: string | undefined): { label: string; port: number } | null {
  const name = (host ?? '').toLowerCase().replace(/:\d+$/, '');
  const m = HOST.exec(name);
  if (!m) return null;
  const port = m[1] ? Number(m[1]) : DEFAULT_APP_PORT;
  return port >= 1 && port <= 65535 ? { label: m[2]!, port } : null;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/** The request's headers as the app should see them: without our cookie. */
function forwardHeaders(req: IncomingMessage): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    let value = req.rawHeaders[i + 1]!;
    if (name.toLowerCase() === 'cookie') {
      value = value.split(';').filter((c) => c.trim().split('=')[0] !== TOKEN).join(';').trim();
      if (!value) continue;
    }
    out.push([name, value]);
  }
  return out;
}

type Admitted = { id: string; port: number; url: URL } | { status: number; message: string; headers?: Record<string, string> };

async function admit(deps: WebRelayDeps, req: IncomingMessage): Promise<Admitted> {
  const target = parseRelayHost(req.headers.host);
  if (!target) return { status: 404, message: 'This host name does not name a sandbox.' };
  const session = deps.lookup(target.label) ?? (await deps.elsewhere?.(target.label)) ?? null;
  if (!session) return { status: 404, message: `There is no live sandbox ${target.label}.` };
  const url = new URL(req.url ?? '/', 'http://relay');
  const given = url.searchParams.get(TOKEN);
  if (given !== null) {
    if (!same(given, session.secret)) return { status: 401, message: "That is not this sandbox's secret; use the url fbay gave you." };
    url.searchParams.delete(TOKEN);
    // Swap the secret in the URL for a cookie on this host, so it leaves the address bar and the app's logs.
    const cookie = `${TOKEN}=${session.secret}; HttpOnly; SameSite=Lax; Path=/`;
    return { status: 302, message: 'Redirecting.', headers: { location: `${url.pathname}${url.search}`, 'set-cookie': cookie } };
  }
  const held = cookies(req.headers.cookie).get(TOKEN);
  if (held === undefined || !same(held, session.secret)) return { status: 401, message: "This sandbox's web app needs its secret: open the url fbay gave you (it carries it)." };
  return { id: session.id, port: target.port, url };
}

export function createWebRelay(deps: WebRelayDeps) {
  return {
    async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const a = await admit(deps, req);
      if ('status' in a) {
        res.writeHead(a.status, { 'content-type': 'text/plain; charset=utf-8', ...a.headers });
        return void res.end(`${a.message}\n`);
      }
      let stream: Duplex;
      try {
        stream = await deps.open(a.id, a.port);
      } catch (err) {
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
        return void res.end(`${(err as Error).message}\n`);
      }
      const headers = forwardHeaders(req);
      const upstream = request({ method: req.method, path: req.url, headers: headers.flat(), createConnection: () => stream.resume() as never });
      const traffic = () => deps.traffic?.(a.id);
      upstream.on('response', (r) => {
        res.writeHead(r.statusCode ?? 502, r.rawHeaders);
        r.pipe(res);
        r.on('data', traffic);
      });
      upstream.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`The sandbox's web app broke the connection: ${err.message}\n`);
      });
      res.on('close', () => stream.destroy());
      req.pipe(upstream);
      req.on('data', traffic);
    },

    async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
      socket.on('error', () => undefined);
      const a = await admit(deps, req);
      if ('status' in a) return void socket.end(`HTTP/1.1 ${a.status} ${a.status === 401 ? 'Unauthorized' : 'Not Found'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      let stream: Duplex;
      try {
        stream = await deps.open(a.id, a.port);
      } catch {
        return void socket.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      }
      // The upgrade request as it came (less our cookie), then bytes both ways: the app answers 101 itself.
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`, ...forwardHeaders(req).map(([k, v]) => `${k}: ${v}`)];
      stream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) stream.write(head);
      stream.on('error', () => socket.destroy());
      socket.on('close', () => stream.destroy());
      stream.on('close', () => socket.destroy());
      stream.pipe(socket);
      socket.pipe(stream);
      // Listeners after the pipes: they see the bytes the pipes already move.
      const traffic = () => deps.traffic?.(a.id);
      stream.on('data', traffic);
      socket.on('data', traffic);
      stream.resume();
    },
  };
}
