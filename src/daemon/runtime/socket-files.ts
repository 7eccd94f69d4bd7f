// The daemon's files on disk: a private runtime dir, a 0600 socket, stale-socket cleanup, and a live-daemon probe.
import { chmodSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { Server } from 'node:http';
import type { Health } from '../../transport/protocol/api.js';

/** Creates the directory (0700) or tightens it when it exists and is ours. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  if (typeof process.getuid === 'function' && st.uid === process.getuid() && (st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** Asks whatever listens on the socket for its health; null when nothing answers (no file, or a stale one). */
export function probeDaemon(socket: string, timeoutMs = 2000): Promise<Health | null> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/v1/health', method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body) as Health);
        } catch {
          resolve(null);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

/** Listens on the socket with mode 0600; a file nobody answers on is a stale socket and is removed first. */
export async function listenPrivate(server: Server, socket: string): Promise<void> {
  const attempt = () =>
    new Promise<void>((resolve, reject) => {
      const previous = process.umask(0o177);
      server.once('error', reject);
      server.listen(socket, () => {
        server.off('error', reject);
        resolve();
      });
      process.umask(previous);
    });
  try {
    await attempt();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    if (await probeDaemon(socket)) throw Object.assign(new Error('another daemon took the socket'), { code: 'FBAY_RUNNING' });
    rmSync(socket, { force: true });
    await attempt();
  }
  chmodSync(socket, 0o600);
}

export function writePidFile(file: string): void {
  writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
}
