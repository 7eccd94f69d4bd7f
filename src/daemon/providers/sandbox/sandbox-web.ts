// The loopback port sandbox URLs point at: `http://ses-….localhost:PORT/` (its port 3000) and
// `http://3001-ses-….localhost:PORT/`, each sandbox's secret once in the URL, then a cookie. Like the CDP port,
// loopback is not private (any local user can connect), so nothing passes without that secret. A remote host's
// sandbox is opened through it too (its URL, as this daemon gives it, names this port); and this daemon's own
// sandboxes' ports are served to other machines' daemons over the API (`ports`).
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebRelay, DEFAULT_APP_PORT, RELAY_TOKEN } from '../../sandboxes/index.js';
import type { RemoteSandboxPorts } from '../../remote/remote-sandbox-ports.js';
import type { SessionCore } from '../../sessions/session-core.js';
import { SandboxPortSockets } from './sandbox-port-socket.js';
import { webLabel, type SandboxRecord } from './sandbox-record.js';
import type { SandboxSessions } from './sandbox-sessions.js';

export const WEB_HOST = '127.0.0.1';
export { isSandboxPortPath } from './sandbox-port-socket.js';

export class SandboxWebListener {
  private server: Server | null = null;
  private port = 0;
  /** WS /v1/sessions/{id}/ports/{port}: this daemon's sandboxes' ports, for another machine's daemon. */
  readonly ports: SandboxPortSockets;

  constructor(
    private readonly core: SessionCore,
    private readonly sessions: SandboxSessions,
    private readonly log: (message: string) => void,
    private readonly remote?: RemoteSandboxPorts,
  ) {
    this.ports = new SandboxPortSockets(sessions, log);
  }

  async listen(port = 0): Promise<void> {
    const live = (id: string) => {
      const s = this.core.get(id) as SandboxRecord | undefined;
      return s?.kind === 'sandbox' && this.core.isLive(s) ? s : null;
    };
    const relay = createWebRelay({
      lookup: (label) => {
        const s = this.core.liveOfKind('sandbox').find((x) => webLabel(x.id) === label) as SandboxRecord | undefined;
        return s ? { id: s.id, secret: s.web_secret } : null;
      },
      ...(this.remote ? { elsewhere: (label: string) => this.remote!.find(label) } : {}),
      open: async (id, appPort) => {
        const s = live(id);
        if (!s && this.remote && !this.core.get(id)) return this.remote.connect(id, appPort);
        if (!s) throw new Error(`Sandbox ${id} has ended.`);
        this.sessions.touch(s);
        return this.sessions.connect(s, appPort);
      },
      traffic: (id) => {
        const s = live(id);
        if (s) this.sessions.traffic(s);
      },
    });
    const server = createServer((req, res) => {
      relay.handleRequest(req, res).catch((err: Error) => {
        this.log(`sandbox web: ${err.message}`);
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`${err.message}\n`);
      });
    });
    server.on('upgrade', (req, socket, head) => void relay.handleUpgrade(req, socket, head).catch(() => socket.destroy()));
    server.on('clientError', (_err, socket) => socket.destroy());
    server.listen(port, WEB_HOST);
    await once(server, 'listening');
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    if (this.remote) this.remote.webPort = this.port;
  }

  get address(): string | null {
    return this.server ? `${WEB_HOST}:${this.port}` : null;
  }

  /** The URL of a sandbox's web app on `appPort` inside it, carrying its secret. */
  url(s: SandboxRecord, appPort = DEFAULT_APP_PORT): string {
    const host = `${appPort === DEFAULT_APP_PORT ? '' : `${appPort}-`}${webLabel(s.id)}.localhost`;
    return `http://${host}:${this.port}/?${RELAY_TOKEN}=${s.web_secret}`;
  }

  close(): void {
    this.ports.close();
    this.server?.close();
    this.server?.closeAllConnections();
    this.server = null;
  }
}
