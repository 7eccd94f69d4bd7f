// A daemon that joins a coordinator as a board host (`--join`, or config `join`): its tunnel client, and the API
// server that the coordinator's streams reach (the same routes, as the coordinator's account).
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Clock } from '../../shared/clock.js';
import type { DaemonParts } from '../compose.js';
import { createApiServer, type ServerOptions } from '../http/server.js';
import type { DaemonSettings } from '../settings.js';
import { JoinClient } from './join-client.js';
import { JoinSandboxes } from './join-sandboxes.js';
import { JOIN_ACCOUNT } from './join-sessions.js';

/** Sandboxes a host runs for its coordinator at once when config `join.sandboxes` does not say. */
export const DEFAULT_JOIN_SANDBOXES = 10;

export interface JoinTarget {
  url: string;
  key: string;
  ca?: string | null;
}

export interface HostJoin {
  client: JoinClient;
  /** Dials out (after the daemon listens, so that a restart that fails leaves no tunnel behind). */
  start(): Promise<void>;
  /** Builds the server for the coordinator's streams, once the daemon's routes exist. */
  serveWith(options: Omit<ServerOptions, 'accountFor'>): Server;
}

export function joinAsHost(target: JoinTarget | null, settings: DaemonSettings, parts: DaemonParts, clock: Clock, log: (message: string) => void): HostJoin | null {
  const to = target ?? (settings.join.url && settings.join.key ? { url: settings.join.url, key: settings.join.key, ca: settings.join.ca ?? null } : null);
  if (!to) return null;
  let server: Server | null = null;
  let sandboxes = 0;
  const { core, registry, ports, flashes, power } = parts;
  const offers = () => ({ browsers: browsersOffered(parts, settings), sandboxes });
  const serve = (stream: Duplex) => server?.emit('connection', stream);
  const client = new JoinClient({ ...to, core, registry, ports, flashes, power, offers, serve, sandboxes: new JoinSandboxes(core, parts.sandboxSessions), clock, log });
  return {
    client,
    start: async () => {
      sandboxes = await sandboxesOffered(parts, settings, log);
      await client.start();
      log(`joining ${to.url.replace(/,/g, ', ')} as a board host`);
    },
    serveWith: (options) => (server = createApiServer({ ...options, accountFor: () => JOIN_ACCOUNT })),
  };
}

/** A host offers its coordinator as many browsers as it runs at once, where it can run them (Chromium is there). */
function browsersOffered(parts: DaemonParts, settings: DaemonSettings): number {
  try {
    parts.browserHost.check({ recording: false, record: [], profile: null, proxy: null, fingerprint: null });
  } catch {
    return 0;
  }
  return settings.browsers.max_concurrent;
}

/** And as many sandboxes as `join.sandboxes` says, where they are isolated as this host's `sandbox.isolation` asks. */
async function sandboxesOffered(parts: DaemonParts, settings: DaemonSettings, log: (message: string) => void): Promise<number> {
  const wanted = settings.join.sandboxes ?? DEFAULT_JOIN_SANDBOXES;
  if (wanted === 0) return 0;
  try {
    const isolation = (await parts.sandboxes.host()).isolation();
    if (isolation.level === 'namespaces' || settings.sandbox.isolation === 'process') return wanted;
    log(`join: offering no sandboxes: ${isolation.reason ?? 'namespaces are unavailable'}`);
  } catch (err) {
    log(`join: offering no sandboxes: ${(err as Error).message}`);
  }
  return 0;
}
