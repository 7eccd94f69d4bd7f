// Test helper: a real daemon process (the built dist/daemon/main.js) on a real Unix socket in a fresh FBAY_HOME.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export const DAEMON_MAIN = fileURLToPath(new URL('../../dist/daemon/main.js', import.meta.url));

export interface TestHome {
  home: string;
  socket: string;
  writeConfig(config: Record<string, unknown>): void;
  cleanup(): void;
}

export function makeHome(): TestHome {
  const home = mkdtempSync('/tmp/fbay-t-');
  return {
    home,
    socket: join(home, 'fbayd.sock'),
    writeConfig: (config) => writeFileSync(join(home, 'config.json'), JSON.stringify(config)),
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

export interface DaemonProcess {
  child: ChildProcess;
  pid: number;
  /** What the daemon printed on stdout: its ready or already-running line. */
  line: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts the daemon and resolves on its first stdout line (ready, or already-running). */
export async function spawnDaemon(home: string, env: Record<string, string> = {}): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [DAEMON_MAIN], {
    env: { ...process.env, FBAY_HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([l]) => l as string),
    exited.then((code) => {
      throw new Error(`daemon exited with ${code} before saying ready:\n${err}`);
    }),
  ]);
  return { child, pid: child.pid!, line: first, stderr: () => err, exited };
}

export async function stopDaemon(d: DaemonProcess): Promise<void> {
  if (d.child.exitCode !== null || d.child.signalCode !== null) return;
  d.child.kill('SIGTERM');
  await d.exited;
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export function api<T = any>(
  socket: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const req = request(
      { socketPath: socket, method, path, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON: leave as text */
          }
          resolve({ status: res.statusCode!, headers: res.headers, body: parsed as T });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** A GET whose answer is a file (a browser artifact): its status, content type and bytes. */
export function apiRaw(socket: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method: 'GET', path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Every frame a test WebSocket received, from the very first: a replay (`?since=`) can arrive in the same read as the
 * handshake and be emitted before an `await once(ws, 'open')` continuation could attach a listener.
 */
export interface Frames {
  chunks: Buffer[];
  texts: any[];
  size: number;
  /** Where the last readUntil stopped, as an index into the bytes. */
  cursor: number;
  bytes(): Buffer;
  /** Resolves when `done()` holds, checked now and on every frame; rejects if the socket closes first. */
  until(done: () => boolean): Promise<void>;
}

const framesOfWs = new WeakMap<WebSocket, Frames>();

export function recordFrames(ws: WebSocket): Frames {
  const existing = framesOfWs.get(ws);
  if (existing) return existing;
  const waiters = new Set<{ done: () => boolean; resolve: () => void; reject: (e: Error) => void }>();
  const f: Frames = {
    chunks: [],
    texts: [],
    size: 0,
    cursor: 0,
    bytes: () => Buffer.concat(f.chunks),
    until: (done) =>
      new Promise<void>((resolve, reject) => {
        if (done()) return resolve();
        if (ws.readyState === WebSocket.CLOSED) return reject(new Error(`closed before the expected output; got ${f.size} bytes`));
        waiters.add({ done, resolve, reject });
      }),
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      f.chunks.push(data);
      f.size += data.length;
    } else f.texts.push(JSON.parse(data.toString()));
    for (const w of [...waiters]) if (w.done()) (waiters.delete(w), w.resolve());
  });
  ws.on('close', () => {
    for (const w of waiters) w.reject(new Error(`closed before the expected output; got ${f.size} bytes: ${JSON.stringify(f.bytes().toString('latin1').slice(-200))}`));
    waiters.clear();
  });
  framesOfWs.set(ws, f);
  return f;
}

/** A serial console client on the session's WebSocket; its frames are recorded from the start (recordFrames). */
export async function openSerial(socket: string, id: string, query = ''): Promise<WebSocket> {
  const ws = new WebSocket(`ws+unix://${socket}:/v1/sessions/${id}/serial${query}`);
  recordFrames(ws);
  await once(ws, 'open');
  return ws;
}

/** Waits until `predicate(text since the last readUntil)` holds; returns that text (bytes as latin1). */
export async function readUntil(ws: WebSocket, predicate: (text: string) => boolean): Promise<string> {
  const f = recordFrames(ws);
  const text = () => f.bytes().subarray(f.cursor).toString('latin1');
  await f.until(() => predicate(text()));
  const out = text();
  f.cursor = f.size;
  return out;
}

/** Subscribes to SSE and resolves with the first event matching `predicate`. */
export function nextEvent(socket: string, predicate: (type: string, data: any) => boolean, query = ''): {
  ready: Promise<void>;
  event: Promise<{ type: string; data: any }>;
  close(): void;
} {
  let close = () => {};
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const event = new Promise<{ type: string; data: any }>((resolve, reject) => {
    const req = request({ socketPath: socket, path: `/v1/events${query}` }, (res) => {
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        buf += chunk;
        markReady();
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type && data && predicate(type, JSON.parse(data))) {
            resolve({ type, data: JSON.parse(data) });
            req.destroy();
          }
        }
      });
    });
    req.on('error', (e) => reject(e));
    close = () => req.destroy();
    req.end();
  });
  event.catch(() => {});
  return { ready, event, close };
}
