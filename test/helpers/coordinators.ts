// Test helper: coordinator daemons (real processes, `--store` on a real PostgreSQL database) on loopback TCP.
import { request } from 'node:http';
import { api, makeHome, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from './daemon-process.js';
import { freePort } from './free-port.js';

export interface CoordinatorProcess {
  name: string;
  home: TestHome;
  daemon: DaemonProcess;
  port: number;
  url: string;
  /** A request on the owner's Unix socket. */
  owner(method: string, path: string, body?: unknown): Promise<{ status: number; headers: Record<string, unknown>; body: any }>;
  /** A request over TCP with an API key. */
  tcp(key: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: any; text: string }>;
  stop(): Promise<void>;
}

export async function startCoordinator(name: string, storeUrl: string, config: Record<string, unknown> = {}): Promise<CoordinatorProcess> {
  const home = makeHome();
  home.writeConfig({ virtual_boards: 2, ...config });
  const port = await freePort();
  const daemon = await spawnDaemon(home.home, { FBAY_LISTEN: `127.0.0.1:${port}`, FBAY_STORE: storeUrl, FBAY_COORDINATOR: name });
  if (!daemon.line.startsWith('ready')) throw new Error(`coordinator ${name} did not start: ${daemon.line}\n${daemon.stderr()}`);
  return {
    name,
    home,
    daemon,
    port,
    url: `http://127.0.0.1:${port}`,
    owner: (method, path, body) => api(home.socket, method, path, body),
    tcp: (key, method, path, body, headers = {}) =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request({ host: '127.0.0.1', port, method, path, headers: { authorization: `Bearer ${key}`, ...(payload ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* text (metrics) */
            }
            resolve({ status: res.statusCode!, headers: res.headers, body: parsed, text });
          });
        });
        req.on('error', reject);
        req.end(payload);
      }),
    stop: async () => {
      await stopDaemon(daemon);
      home.cleanup();
    },
  };
}

export interface JoinedHostProcess {
  home: TestHome;
  daemon: DaemonProcess;
  stop(): Promise<void>;
}

/**
 * A board host joined with `--join` to `join` (one coordinator's URL, or several comma-separated), under a host key
 * named `name` made on `keyFrom`; `config` is its config.json. Resolves once it started (not yet joined).
 */
export async function joinHost(keyFrom: CoordinatorProcess, join: string, config: Record<string, unknown>, name = 'lab1'): Promise<JoinedHostProcess> {
  const key = (await keyFrom.owner('POST', '/v1/keys', { name, kind: 'host' })).body.key as string;
  const home = makeHome();
  home.writeConfig(config);
  const daemon = await spawnDaemon(home.home, { FBAY_JOIN: join, FBAY_JOIN_KEY: key });
  return { home, daemon, stop: async () => (await stopDaemon(daemon), home.cleanup()) };
}
