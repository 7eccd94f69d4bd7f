// A remote host's sandbox, opened from this machine: its URL is this daemon's sandbox web listener, which passes each
// connection to the host's WS /v1/sessions/{id}/ports/{port} under the remote's key. The remote's own URL is its
// loopback listener, which opens only on that machine. The sandbox's secret is the remote's, and checked here as for
// this daemon's own.
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocket } from 'ws';
import type { Session } from '../../transport/protocol/api.js';
import { API } from '../../transport/protocol/paths.js';
import { webLabel as labelOf } from '../providers/sandbox/sandbox-record.js';
import { RELAY_TOKEN } from '../sandboxes/index.js';
import type { RemoteHosts } from './remote-hosts.js';

/** How long a name no remote had is answered 404 without asking again. */
const MISS_MS = 5000;

interface Known {
  remote: string;
  id: string;
  secret: string;
}

export class RemoteSandboxPorts {
  /** The local sandbox web listener's port, once it listens: remote URLs are rewritten to it. */
  webPort: number | null = null;
  private readonly known = new Map<string, Known>();
  private readonly asking = new Map<string, Promise<Known | null>>();
  /** Names no remote had, until when they are not asked about again. */
  private readonly missed = new Map<string, number>();

  constructor(
    private readonly hosts: RemoteHosts,
    private readonly defaultRemote: () => string | null,
  ) {}

  /** A remote's sandbox URL as this machine opens it: the same host name and secret, on the local listener's port. */
  localUrl(url: string): string {
    if (this.webPort === null) return url;
    const u = new URL(url);
    u.port = String(this.webPort);
    return u.toString();
  }

  /** The remote sandbox a URL's host label names, with its secret: asked of the remotes (the default first). */
  find(label: string): Promise<{ id: string; secret: string } | null> {
    const known = this.known.get(label);
    if (known) return Promise.resolve(known);
    // A name no remote has is not asked about again for a while (a page polling a sandbox that ended), and a
    // browser's several connections at once ask once.
    if ((this.missed.get(label) ?? 0) > Date.now()) return Promise.resolve(null);
    let asking = this.asking.get(label);
    if (!asking) {
      asking = this.ask(label).finally(() => this.asking.delete(label));
      this.asking.set(label, asking);
    }
    return asking;
  }

  private async ask(label: string): Promise<Known | null> {
    const first = this.defaultRemote();
    const names = this.hosts.names().sort((a, b) => Number(b === first) - Number(a === first));
    for (const remote of names) {
      const listed = await this.hosts.get<{ sessions: Session[] }>(remote, `${API.sessions}?kind=sandbox`).catch(() => null);
      const s = listed?.sessions.find((x) => labelOf(x.id) === label);
      const url = (s as { url?: unknown } | undefined)?.url;
      const secret = typeof url === 'string' ? new URL(url).searchParams.get(RELAY_TOKEN) : null;
      if (!s || !secret) continue;
      const entry = { remote, id: s.id, secret };
      this.known.set(label, entry);
      // Sandboxes that ended with no connection refused since are never told of: the oldest go past a bound.
      if (this.known.size > 1000) this.known.delete(this.known.keys().next().value!);
      return entry;
    }
    this.missed.set(label, Date.now() + MISS_MS);
    if (this.missed.size > 1000) this.missed.delete(this.missed.keys().next().value!);
    return null;
  }

  /** A connection to `port` in the remote sandbox `find` gave; one the host says is gone or over is forgotten. */
  connect(id: string, port: number): Promise<Duplex> {
    const entry = [...this.known.values()].find((k) => k.id === id);
    if (!entry) return Promise.reject(new Error(`Sandbox ${id} is not known here.`));
    const client = this.hosts.client(entry.remote);
    const ws = new WebSocket(client.wsUrl(API.sandboxPort(id, port)), { headers: client.authHeader, ...client.wsOptions, perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(createWebSocketStream(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          if ([404, 409, 410].includes(res.statusCode ?? 0)) this.known.delete(labelOf(id)); // gone, or over
          reject(new Error(`${entry.remote}: ${errorOf(text) ?? `HTTP ${res.statusCode}`}`));
        });
      });
      ws.once('error', (err) => reject(new Error(`Remote '${entry.remote}' did not answer: ${err.message}`)));
    });
  }
}

/** The `error` of an API error body; undefined for anything else. */
function errorOf(text: string): string | undefined {
  try {
    const said = (JSON.parse(text) as { error?: unknown }).error;
    return typeof said === 'string' ? said : undefined;
  } catch {
    return undefined;
  }
}
