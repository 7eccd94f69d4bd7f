// Test helper: a coordinator listening on loopback TCP and board hosts that join it with `--join`, each through its
// own fault proxy (so a test can cut one host's network), with a user key for clients.
import { request } from 'node:http';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { api, makeHome, recordFrames, spawnDaemon, stopDaemon, type ApiResponse, type DaemonProcess, type TestHome } from './daemon-process.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { freePort } from './free-port.js';

export interface JoinedHost {
  name: string;
  key: string;
  home: TestHome;
  daemon: DaemonProcess;
  proxy: FaultProxy;
  /** This host's Unix socket API (its owner's view). */
  api(method: string, path: string, body?: unknown): Promise<ApiResponse<any>>;
  /** The host's own transcript of a coordinator session: every byte the board sent, as the host recorded it. */
  transcript(coordinatorSession: string): Buffer;
  /** The host's own session for a coordinator session. */
  hostSession(coordinatorSession: string): string;
  /** The last record the host's journal has for one of its own sessions (null: none). */
  record(hostSession: string): { state: string; account: string; idle_after_s: number } | null;
  restart(): Promise<void>;
}

export interface Coordinated {
  coord: { home: TestHome; daemon: DaemonProcess; port: number; api(method: string, path: string, body?: unknown): Promise<ApiResponse<any>> };
  userKey: string;
  hosts: JoinedHost[];
  /** A request to the coordinator over TCP with `key` (the user key by default). */
  tcp(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: any }>;
  /** A session's transcript on the coordinator, as its user downloads it. */
  log(id: string): Promise<Buffer>;
  /** A client's serial WebSocket on the coordinator (its frames recorded from the start). */
  serial(id: string, query?: string): Promise<WebSocket>;
  addHost(name: string, config?: Record<string, unknown>): Promise<JoinedHost>;
  /** Stops the coordinator keeping its sessions (or kills it with SIGKILL) and starts it again. */
  restartCoordinator(how?: 'stop' | 'kill'): Promise<void>;
  close(): Promise<void>;
}

export function tcpRequest(port: number, method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(payload ? { 'content-type': 'application/json' } : {}) };
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The host session made for a coordinator session (its Idempotency-Key is the coordinator's id), from its journal. */
function journalRecord(home: string, id: string): { state: string; account: string; idle_after_s: number } | null {
  let found = null;
  for (const line of readFileSync(join(home, 'state', 'sessions.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    for (const r of JSON.parse(line) as Array<{ s?: { id: string; state: string; account: string; idle_after_s: number } }>) if (r.s?.id === id) found = r.s;
  }
  return found;
}

export function hostSessionOf(home: string, coordinatorSession: string): string {
  for (const line of readFileSync(join(home, 'state', 'sessions.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    for (const r of JSON.parse(line) as Array<{ t: string; s?: { id: string; idempotency_key: string | null } }>) {
      if (r.t === 's' && r.s!.idempotency_key === coordinatorSession) return r.s!.id;
    }
  }
  throw new Error(`no host session for ${coordinatorSession}: ${readdirSync(join(home, 'state'))}`);
}

export async function coordinated(options: { coordinator?: Record<string, unknown>; hosts?: Array<{ name: string; config?: Record<string, unknown> }> } = {}): Promise<Coordinated> {
  const coordHome = makeHome();
  coordHome.writeConfig({ virtual_boards: 0, ...options.coordinator });
  const port = await freePort();
  const env = { FBAY_LISTEN: `127.0.0.1:${port}` };
  let coordDaemon = await spawnDaemon(coordHome.home, env);
  const coordApi = (method: string, path: string, body?: unknown) => api(coordHome.socket, method, path, body);
  const userKey = (await coordApi('POST', '/v1/keys', { name: 'alice', tier: 'pro', credits: 1000 })).body.key as string;
  const hosts: JoinedHost[] = [];

  const addHost = async (name: string, config: Record<string, unknown> = {}): Promise<JoinedHost> => {
    const key = (await coordApi('POST', '/v1/keys', { name, kind: 'host' })).body.key as string;
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port } });
    const home = makeHome();
    home.writeConfig(config);
    const joinEnv = { FBAY_JOIN: `ws://127.0.0.1:${proxy.port}`, FBAY_JOIN_KEY: key };
    const h: JoinedHost = {
      name,
      key,
      home,
      daemon: await spawnDaemon(home.home, joinEnv),
      proxy,
      api: (method, path, body) => api(home.socket, method, path, body),
      transcript: (id) => readFileSync(join(home.home, 'state', 'sessions', `${hostSessionOf(home.home, id)}.log`)),
      hostSession: (id) => hostSessionOf(home.home, id),
      record: (id) => journalRecord(home.home, id),
      restart: async () => {
        await api(home.socket, 'POST', '/v1/daemon/stop', { keep_sessions: true });
        await h.daemon.exited;
        h.daemon = await spawnDaemon(home.home, joinEnv);
      },
    };
    hosts.push(h);
    return h;
  };
  for (const h of options.hosts ?? [{ name: 'lab1' }]) await addHost(h.name, h.config);

  const t: Coordinated = {
    coord: { home: coordHome, daemon: coordDaemon, port, api: coordApi },
    userKey,
    hosts,
    tcp: (method, path, body, key = userKey) => tcpRequest(port, method, path, body, key),
    log: (id) =>
      new Promise((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: `/v1/sessions/${id}/log`, headers: { authorization: `Bearer ${userKey}` } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        })
          .on('error', reject)
          .end();
      }),
    serial: async (id, query = '') => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/sessions/${id}/serial${query}`, { headers: { authorization: `Bearer ${userKey}` } });
      recordFrames(ws);
      await once(ws, 'open');
      return ws;
    },
    addHost,
    restartCoordinator: async (how = 'stop') => {
      if (how === 'kill') coordDaemon.child.kill('SIGKILL');
      else await coordApi('POST', '/v1/daemon/stop', { keep_sessions: true });
      await coordDaemon.exited;
      coordDaemon = await spawnDaemon(coordHome.home, env);
      t.coord.daemon = coordDaemon;
    },
    close: async () => {
      for (const h of hosts) await stopDaemon(h.daemon);
      await stopDaemon(t.coord.daemon);
      for (const h of hosts) {
        await h.proxy.close();
        h.home.cleanup();
      }
      coordHome.cleanup();
    },
  };
  return t;
}

/** Resolves once the daemon has logged a line matching `pattern` (after `from` characters of its log). */
export function logged(d: DaemonProcess, pattern: RegExp, from = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = pattern.exec(d.stderr().slice(from));
      if (!m) return false;
      d.child.stderr!.off('data', onData);
      d.child.off('exit', onExit);
      resolve(m[0]);
      return true;
    };
    const onData = () => void check();
    const onExit = () => reject(new Error(`daemon exited before logging ${pattern}:\n${d.stderr().slice(-2000)}`));
    if (check()) return;
    d.child.stderr!.on('data', onData);
    d.child.once('exit', onExit);
  });
}

/** Resolves once every named host has joined the coordinator (since `from` in its log). */
export async function joinedAll(t: Coordinated, names = t.hosts.map((h) => h.name), from = 0): Promise<void> {
  await Promise.all(names.map((n) => logged(t.coord.daemon, new RegExp(`host ${n.replace(/[.]/g, '\\.')} joined`), from)));
}
