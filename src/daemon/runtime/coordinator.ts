// A daemon started with `--store postgres://…`: a coordinator. Its name, its store, its API keys and its fleet rows
// (heartbeat, boards) all live in the shared database.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { UserError } from '../../shared/user-error.js';
import { VERSION } from '../../shared/version.js';
import type { FbayPaths } from '../../shared/paths.js';
import { EXIT } from '../../transport/protocol/errors.js';
import { ApiKeyStore } from '../auth/api-keys.js';
import { PgKeyBackend } from '../auth/pg-key-backend.js';
import type { BoardRecord } from '../boards/board-registry.js';
import { boardInfo } from '../api/fleet-boards.js';
import type { HostStatus } from '../../transport/protocol/api.js';
import type { ResourceNames } from '../sessions/resource-names.js';
import { PgFleet, type ResourceRow } from '../sessions/store/pg-fleet.js';
import type { RowOptions } from '../sessions/store/pg-rows.js';
import { PgStore } from '../sessions/store/pg-store.js';

export const HEARTBEAT_MS = 5000;

/** Every board a coordinator hands out (its board set), and its changes. */
export interface BoardListing {
  list(): BoardRecord[];
  on(event: 'change', listener: () => void): unknown;
}
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** FBAY_COORDINATOR, else this machine's name and its state dir: stable across restarts, distinct per FBAY_HOME. */
export function coordinatorName(paths: FbayPaths, env: NodeJS.ProcessEnv = process.env): string {
  const given = env.FBAY_COORDINATOR;
  if (given) {
    if (!NAME_PATTERN.test(given)) {
      throw new UserError(`FBAY_COORDINATOR must be 1–63 letters, digits, '.', '_' or '-'; got '${given}'.`, { exit: EXIT.usage, code: 'usage' });
    }
    return given;
  }
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40) || 'fbay';
  return `${host}-${createHash('sha256').update(paths.stateDir).digest('hex').slice(0, 6)}`;
}

export function checkStoreUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`--store must be a PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE); got '${url}'.`, { exit: EXIT.usage, code: 'usage' });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new UserError(`--store takes a postgres:// URL; got '${parsed.protocol}//…'.`, { exit: EXIT.usage, code: 'usage', next: 'e.g. `fbay daemon start --listen 0.0.0.0:7070 --store postgres://fbay:PASSWORD@127.0.0.1:5432/fbay`' });
  }
  return url;
}

export class Coordinator {
  private store: PgStore | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly log: (message: string) => void,
  ) {}

  /** The session store, made once the kinds are known (what is final, when deadlines fall). */
  storeFor(rows: RowOptions): PgStore {
    return (this.store ??= new PgStore({ url: this.url, coordinator: this.name, log: this.log, ...rows }));
  }

  private get pg(): PgStore {
    if (!this.store) throw new Error('bug: the coordinator store is made by buildParts first');
    return this.store;
  }

  get fleet(): PgFleet {
    return new PgFleet(this.pg.pool, this.name);
  }

  /** API keys every coordinator shares. */
  async keys(): Promise<ApiKeyStore> {
    return new ApiKeyStore(await PgKeyBackend.open(this.pg.pool, this.pg.changes, this.name, this.log));
  }

  /**
   * This coordinator's boards — its own and its joined hosts' — as claimable resources, and its joined hosts' rows,
   * now and whenever they change: another coordinator finds a free board here for a create it cannot serve itself.
   */
  registerBoards(boards: BoardListing, names: ResourceNames, hosts: () => HostStatus[]): void {
    const seenHosts = new Set<string | null>([null]);
    const register = () => {
      const byHost = new Map<string | null, ResourceRow[]>([...seenHosts].map((h) => [h, []]));
      for (const b of boards.list()) {
        const host = b.host ?? null;
        seenHosts.add(host);
        if (!byHost.has(host)) byHost.set(host, []);
        byHost.get(host)!.push({ id: names.qualify(b.id), kind: 'board', coordinator_id: this.name, host, type: b.type, name: b.name, online: b.online, info: { ...boardInfo(b, b.power) } });
      }
      // The hosts' rows first: whoever finds a host's boards in the database finds the host too. A host gone since
      // the last time keeps its rows, offline (its group is empty now).
      void this.recordHosts(hosts).then(() => {
        for (const [host, rows] of byHost) {
          this.fleet.registerResources({ coordinator_id: this.name, host }, rows).catch((err: Error) => this.log(`store: could not register the boards: ${err.message}`));
        }
      });
    };
    register();
    boards.on('change', register);
    this.onBeat = () => void this.recordHosts(hosts);
  }

  private onBeat: (() => void) | null = null;

  private recordHosts(hosts: () => HostStatus[]): Promise<void> {
    const rows = hosts().map((h) => ({ name: h.name, link: h.link, version: h.version, last_heartbeat_at: h.last_heartbeat_at, sandboxes: h.sandboxes, browsers: h.browsers }));
    return this.fleet.recordHosts(rows).catch((err: Error) => this.log(`store: could not record the joined hosts: ${err.message}`));
  }

  /** Beats every 5 s with the URL it serves on, so other coordinators (and clients) can find it. */
  startHeartbeat(url: () => string | null): void {
    const beat = () => {
      this.fleet.heartbeat({ url: url(), version: VERSION, pid: process.pid }).catch((err: Error) => this.log(`store: heartbeat failed: ${err.message}`));
      this.onBeat?.();
    };
    beat();
    this.timer = setInterval(beat, HEARTBEAT_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
