// The dashboard on 127.0.0.1: started by the first `fbay ui`, on the port asked for (or the last one, or any), kept
// until the daemon stops; a restarted daemon opens it again on the same port so open pages find it.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../../transport/protocol/errors.js';
import { loopbackHosts } from './guards.js';
import { createUiServer, type UiCore } from './ui-server.js';

export const LOOPBACK_HOST = '127.0.0.1';

export class LoopbackDashboard {
  #server: Server | null = null;
  #starting: Promise<number> | null = null;

  constructor(
    private readonly core: UiCore,
    /** The port to remember for the next daemon start. */
    private readonly remember: (port: number) => void,
  ) {}

  get port(): number | null {
    return this.#server ? (this.#server.address() as AddressInfo).port : null;
  }

  url(): string | null {
    return this.port === null ? null : `http://${LOOPBACK_HOST}:${this.port}`;
  }

  /**
   * Serves on `wanted` (an explicit --port or ui.port; 0 = any) or keeps the running listener when no port is asked
   * for; `fallback` is the last port used, tried before any port. Resolves with the port.
   */
  ensure(wanted: number | undefined, fallback: number | null): Promise<number> {
    const run = async (): Promise<number> => {
      const current = this.port;
      if (current !== null && (wanted === undefined || wanted === 0 || wanted === current)) return current;
      if (current !== null) await this.close();
      if (wanted !== undefined && wanted !== 0) return this.#listen(wanted, true);
      if (fallback !== null) {
        const port = await this.#listen(fallback, false).catch(() => null);
        if (port !== null) return port;
      }
      return this.#listen(0, true);
    };
    const next = (this.#starting ?? Promise.resolve(0)).catch(() => 0).then(run);
    this.#starting = next;
    return next;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #listen(port: number, report: boolean): Promise<number> {
    const server = createUiServer(this.core, { mode: 'loopback', hosts: loopbackHosts });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, LOOPBACK_HOST, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (!report) throw err;
      throw new ApiError(
        'session_conflict',
        code === 'EADDRINUSE'
          ? `Port ${port} on ${LOOPBACK_HOST} is in use by another program: run \`fbay ui --port N\` with another port (0 = any).`
          : `Could not serve the dashboard on ${LOOPBACK_HOST}:${port}: ${code ?? (err as Error).message}.`,
      );
    }
    this.#server = server;
    const got = (server.address() as AddressInfo).port;
    this.remember(got);
    this.core.log(`dashboard on http://${LOOPBACK_HOST}:${got}/ui/`);
    return got;
  }
}
