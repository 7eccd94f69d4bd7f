// Builds and runs one daemon: settings, boards, the engine, the API server on the Unix socket; stops it cleanly.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Health } from '../transport/protocol/api.js';
import { assertSocketPathFits, type FbayPaths } from '../shared/paths.js';
import { BoardRegistry } from './boards/board-registry.js';
import { checkEntries } from './boards/board-entries.js';
import type { BoardEntryConfig } from '../shared/config-keys.js';
import { boardSource } from './board-source.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { LOCAL_ACCOUNT, SessionEngine } from './engine/session-engine.js';
import { FileJournal } from './store/journal.js';
import { Router } from './http/router.js';
import { createApiServer } from './http/server.js';
import { accountRoutes, healthRoutes } from './api/account.js';
import { adminRoutes } from './api/admin.js';
import { boardRoutes } from './api/boards.js';
import { eventRoutes } from './api/events.js';
import { sessionRoutes } from './api/sessions.js';
import { SerialUpgrade } from './serial/serial-upgrade.js';
import { RemoteHosts } from './remote/remote-hosts.js';
import type { RemoteRouting } from './api/remote-target.js';
import { ApiKeyStore } from './auth/api-keys.js';
import { tcpAccounts } from './auth/authenticate.js';
import { keyRoutes } from './api/keys.js';
import { listenTcp, loadTls, type TcpEndpoint } from './runtime/tcp-listener.js';
import { SessionPorts } from './serial/session-ports.js';
import { TranscriptDir } from './serial/transcript.js';
import { serialRoutes } from './api/serial.js';
import { browserRoutes } from './api/browsers.js';
import { openBrowserService } from './browsers/browser-service.js';
import { DaemonSettings } from './settings.js';
import { ensurePrivateDir, listenPrivate, probeDaemon, writePidFile } from './runtime/socket-files.js';

export interface DaemonOptions {
  paths: FbayPaths;
  log: (message: string) => void;
  clock?: Clock;
  /** HOST:PORT to serve on over TCP too (`--listen`); overrides config `listen`. */
  listen?: string | null;
}

export interface RunningDaemon {
  engine: SessionEngine;
  server: Server;
  /** Resolves once the daemon has stopped (by API, signal or stop()). */
  stopped: Promise<void>;
  stop(keepSessions: boolean): Promise<void>;
}

export type StartResult = { running: RunningDaemon } | { alreadyRunning: Health };

export async function startDaemon({ paths, log, clock = systemClock, listen }: DaemonOptions): Promise<StartResult> {
  assertSocketPathFits(paths.socket);
  ensurePrivateDir(paths.runtimeDir);
  ensurePrivateDir(paths.stateDir);
  const other = await probeDaemon(paths.socket);
  if (other) return { alreadyRunning: other };

  const settings = new DaemonSettings(paths);
  const registry = new BoardRegistry({ virtualBoards: settings.virtualBoards, entries: validEntries(settings.boards, log) });
  const transcripts = new TranscriptDir(join(paths.stateDir, 'sessions'));
  const remotes = new RemoteHosts(() => settings.remotes, log);
  const ports = new SessionPorts(registry, transcripts, log, remotes);
  const socketUrl = `ws+unix://${paths.socket}:`;
  const keys = new ApiKeyStore(paths.stateDir);
  let tcp: TcpEndpoint | null = null;
  const engine = new SessionEngine({
    clock,
    store: new FileJournal(paths.stateDir),
    boards: boardSource(registry),
    ports,
    settings: () => settings.forEngine(),
    wsUrlFor: (id, account) =>
      `${account === LOCAL_ACCOUNT || !tcp ? socketUrl : tcp.url.replace(/^http/, 'ws')}/v1/sessions/${id}/serial`,
  });
  ports.bind(engine);
  remotes.bind(engine);
  const routing: RemoteRouting = {
    defaultRemote: () => settings.defaultRemote,
    create: (account, host, req, key) => remotes.create(account, host, req, key),
    get: (host, path) => remotes.get(host, path),
  };
  engine.restore();
  const browsers = await openBrowserService({
    paths,
    clock,
    log,
    tcpBase: (account) => (account === LOCAL_ACCOUNT || !tcp ? null : tcp.url.replace(/^http/, 'ws')),
    remoteClient: (name) => remotes.client(name),
  });
  transcripts.prune((id) => engine.ownerOf(id) !== undefined);
  registry.on('change', () => engine.boardsChanged());

  const startedAt = Date.now();
  let stopping: Promise<void> | null = null;
  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  const upgrade = new SerialUpgrade(engine, ports);

  const stop = (keepSessions: boolean): Promise<void> => {
    stopping ??= (async () => {
      log(`stopping (${keepSessions ? 'keeping live sessions for the next start' : 'ending live sessions: host_shutdown'})`);
      server.close();
      tcpServer?.close();
      tcpServer?.closeAllConnections();
      engine.shutdown(keepSessions);
      registry.close();
      upgrade.close();
      await Promise.all([ports.closeAll(), browsers.close()]);
      await remotes.close();
      server.closeAllConnections();
      rmSync(paths.socket, { force: true });
      rmSync(paths.pidFile, { force: true });
      markStopped();
    })();
    return stopping;
  };

  const router = new Router().add([
    ...healthRoutes(() => ({ socket: paths.socket, listeners: [`unix:${paths.socket}`, ...(tcp ? [tcp.label] : []), ...browsers.listeners()] }), startedAt),
    ...keyRoutes(keys, engine),
    ...accountRoutes(engine, routing),
    ...boardRoutes(engine, () => registry.list(), {
      entries: () => settings.boards,
      save: (entries) => {
        settings.saveBoards(entries);
        registry.setEntries(settings.boards);
        log(`boards: ${entries.length} config entr${entries.length === 1 ? 'y' : 'ies'}`);
      },
    }, routing),
    ...sessionRoutes(engine, routing),
    ...serialRoutes(engine, ports, transcripts),
    ...eventRoutes(engine),
    ...browserRoutes(browsers.engine, browsers.remote, routing),
    ...adminRoutes({
      stop: (keep) => void stop(keep),
      reload: (changed) => {
        settings.reload();
        registry.setVirtualCount(settings.virtualBoards);
        try {
          registry.setEntries(settings.boards);
        } catch (err) {
          log(`config: the boards list is invalid, keeping the previous one: ${(err as Error).message}`);
        }
        engine.configureAccount(LOCAL_ACCOUNT, changed.includes('account.balance_credits'));
        engine.boardsChanged();
        browsers.reload();
        log(`config reloaded (${changed.join(', ') || 'all'})`);
      },
    }),
  ]);
  const serve = {
    router,
    upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, account: string) =>
      browsers.wants(req) ? browsers.handle(req, socket, head, account) : upgrade.handle(req, socket, head, account),
    log,
  };
  const server = createApiServer({ ...serve, accountFor: () => LOCAL_ACCOUNT });
  const address = listen ?? settings.listen;
  const tls = address ? loadTls(settings.tls) : undefined;
  const tcpServer = address ? createApiServer({ ...serve, ...tcpAccounts(keys), ...(tls ? { tls } : {}) }) : null;
  try {
    await listenPrivate(server, paths.socket);
  } catch (err) {
    await browsers.close();
    if ((err as { code?: string }).code === 'FBAY_RUNNING') {
      engine.shutdown(true);
      const health = await probeDaemon(paths.socket);
      if (health) return { alreadyRunning: health };
    }
    throw err;
  }
  if (tcpServer && address) {
    try {
      tcp = await listenTcp(tcpServer, address, tls !== undefined);
    } catch (err) {
      server.close();
      engine.shutdown(true);
      await browsers.close();
      rmSync(paths.socket, { force: true });
      throw err;
    }
    log(`serving teammates on ${tcp.label} (${tcp.url}); API keys required`);
  }
  writePidFile(paths.pidFile);
  log(`listening on ${paths.socket} (pid ${process.pid})`);
  return { running: { engine, server, stopped, stop } };
}

/** A bad `boards` list in config.json must not keep the daemon from starting: it starts without those entries. */
function validEntries(entries: BoardEntryConfig[], log: (message: string) => void): BoardEntryConfig[] {
  try {
    checkEntries(entries);
    return entries;
  } catch (err) {
    log(`config: ignoring the boards list: ${(err as Error).message}. Fix it with \`fbay boards remove\` / \`fbay boards add\`.`);
    return [];
  }
}
