// A daemon that joins a coordinator as a board host (`--join`, or config `join`): its tunnel client, and the API
// server that the coordinator's streams reach (the same routes, as the coordinator's account).
import type { Server } from 'node:http';
import type { Clock } from '../../shared/clock.js';
import type { DaemonParts } from '../compose.js';
import { createApiServer, type ServerOptions } from '../http/server.js';
import type { DaemonSettings } from '../settings.js';
import { JoinClient } from './join-client.js';
import { JOIN_ACCOUNT } from './join-sessions.js';

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
  const { core, registry, ports, flashes, power } = parts;
  const client = new JoinClient({ ...to, core, registry, ports, flashes, power, browsers: () => browsersOffered(parts, settings), serve: (stream) => server?.emit('connection', stream), clock, log });
  return {
    client,
    start: async () => {
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
