// Test helper: a board host listening on loopback TCP and a client daemon that reaches it through a fault proxy.
import { request } from 'node:http';
import { once } from 'node:events';
import WebSocket from 'ws';
import { api, makeHome, recordFrames, spawnDaemon, stopDaemon, type ApiResponse, type DaemonProcess, type Frames, type TestHome } from './daemon-process.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { freePort } from './free-port.js';

export interface TwoDaemons {
  host: { home: TestHome; daemon: DaemonProcess; port: number; key: string };
  client: { home: TestHome; daemon: DaemonProcess };
  proxy: FaultProxy;
  /** A request to the host over TCP as the key's account (not through the proxy). */
  hostApi(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** The session's transcript on the host: every byte its board sent. */
  hostLog(id: string): Promise<Buffer>;
  /** A serial WebSocket straight to the host (not through the proxy). */
  hostSerial(id: string, query?: string): Promise<WebSocket>;
  /** A request to the client daemon for the remote `lab`. */
  lab(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<any>>;
  restartHost(): Promise<void>;
  /** Stops the client daemon keeping its sessions, and starts it again. */
  restartClient(): Promise<void>;
  close(): Promise<void>;
}

export async function twoDaemons(hostConfig: Record<string, unknown> = {}): Promise<TwoDaemons> {
  const hostHome = makeHome();
  hostHome.writeConfig(hostConfig);
  const port = await freePort();
  const env = { FBAY_LISTEN: `127.0.0.1:${port}` };
  let hostDaemon = await spawnDaemon(hostHome.home, env);
  const key = (await api(hostHome.socket, 'POST', '/v1/keys', { name: 'alice', tier: 'pro', credits: 1000 })).body.key as string;
  const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port } });
  const clientHome = makeHome();
  clientHome.writeConfig({ remotes: { lab: { url: `http://127.0.0.1:${proxy.port}`, key } } });
  let clientDaemon = await spawnDaemon(clientHome.home);

  const t: TwoDaemons = {
    host: { home: hostHome, daemon: hostDaemon, port, key },
    client: { home: clientHome, daemon: clientDaemon },
    proxy,
    hostApi: (method, path, body) =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          { host: '127.0.0.1', port, method, path, headers: { authorization: `Bearer ${key}`, ...(payload ? { 'content-type': 'application/json' } : {}) } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
          },
        );
        req.on('error', reject);
        req.end(payload);
      }),
    hostLog: (id) =>
      new Promise((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: `/v1/sessions/${id}/log`, headers: { authorization: `Bearer ${key}` } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        })
          .on('error', reject)
          .end();
      }),
    hostSerial: async (id, query = '') => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/sessions/${id}/serial${query}`, { headers: { authorization: `Bearer ${key}` } });
      recordFrames(ws);
      await once(ws, 'open');
      return ws;
    },
    lab: (method, path, body, headers = {}) => api(clientHome.socket, method, path, body, { 'fbay-remote': 'lab', ...headers }),
    restartHost: async () => {
      await api(hostHome.socket, 'POST', '/v1/daemon/stop', { keep_sessions: true });
      await hostDaemon.exited;
      hostDaemon = await spawnDaemon(hostHome.home, env);
      t.host.daemon = hostDaemon;
    },
    restartClient: async () => {
      await api(clientHome.socket, 'POST', '/v1/daemon/stop', { keep_sessions: true });
      await clientDaemon.exited;
      clientDaemon = await spawnDaemon(clientHome.home);
      t.client.daemon = clientDaemon;
    },
    close: async () => {
      await stopDaemon(t.client.daemon);
      await stopDaemon(t.host.daemon);
      await proxy.close();
      clientHome.cleanup();
      hostHome.cleanup();
    },
  };
  return t;
}

/** A WebSocket's frames, recorded from its first (see recordFrames). */
export function recorder(ws: WebSocket): Frames {
  return recordFrames(ws);
}
