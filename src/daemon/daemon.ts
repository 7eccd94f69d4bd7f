// Builds and runs one daemon: settings, the parts, the API server on the Unix socket (and TCP); stops it cleanly.
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Health } from '../transport/protocol/api.js';
import { assertSocketPathFits, type FbayPaths } from '../shared/paths.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { createApiServer } from './http/server.js';
import { SerialUpgrade } from './serial/serial-upgrade.js';
import { ApiKeyStore } from './auth/api-keys.js';
import { tcpAccounts } from './auth/authenticate.js';
import { listenTcp, loadTls, type TcpEndpoint } from './runtime/tcp-listener.js';
import { CdpListener } from './browsers/cdp-listener.js';
import { CdpProxy, isCdpPath } from './browsers/cdp-proxy.js';
import { isScreencastPath, LiveViewServer } from './browsers/live-view-server.js';
import { routeUpgrades } from './runtime/upgrades.js';
import { PeerRoutes } from './runtime/peer-routes.js';
import { isSandboxPortPath, SandboxWebListener } from './providers/sandbox/sandbox-web.js';
import type { BoardRecord } from './providers/board/board-record.js';
import { DaemonSettings } from './settings.js';
import { afterStart } from './runtime/after-start.js';
import { reloadConfig } from './runtime/config-reload.js';
import { ensurePrivateDir, listenPrivate, probeDaemon, writePidFile } from './runtime/socket-files.js';
import { buildParts } from './compose.js';
import { buildRouter } from './routes.js';
import { cdpSessions, liveViewSessions } from './providers/browser/cdp-sessions.js';
import { LOCAL_ACCOUNT } from './sessions/core-base.js';
import type { SessionCore } from './sessions/session-core.js';
import type { BoardRegistry } from './boards/board-registry.js';
import type { SessionStore } from './sessions/store/store.js';
import { createDashboard } from './ui/dashboard.js';
import { StateGuard } from './runtime/state-guard.js';
import type { Coordinator } from './runtime/coordinator.js';
import { UserError } from '../shared/user-error.js';
import { HostTunnel, isHostTunnelPath } from './hosts/host-tunnel.js';
import { joinAsHost, type JoinTarget } from './join/join-as-host.js';

export interface DaemonOptions {
  paths: FbayPaths;
  log: (message: string) => void;
  clock?: Clock;
  /** HOST:PORT to serve on over TCP too (`--listen`); overrides config `listen`. */
  listen?: string | null;
  store?: SessionStore;
  /** postgres://… (`--store`): a coordinator, its sessions, keys and fleet in that database. */
  storeUrl?: string | null;
  /** A coordinator to join as a board host (`--join URL --key K`); overrides config `join`. */
  join?: JoinTarget | null;
}

export interface RunningDaemon {
  core: SessionCore;
  /** The boards this daemon serves; tests reach a virtual board's simulated chip through it. */
  boards: BoardRegistry;
  server: Server;
  /** Resolves once the daemon has stopped (by API, signal or stop()). */
  stopped: Promise<void>;
  stop(keepSessions: boolean): Promise<void>;
}

export type StartResult = { running: RunningDaemon } | { alreadyRunning: Health };

export async function startDaemon({ paths, log, clock = systemClock, listen, store, storeUrl, join }: DaemonOptions): Promise<StartResult> {
  assertSocketPathFits(paths.socket);
  ensurePrivateDir(paths.runtimeDir);
  ensurePrivateDir(paths.stateDir);
  const other = await probeDaemon(paths.socket);
  if (other) return { alreadyRunning: other };

  const settings = new DaemonSettings(paths, log);
  const address = listen ?? settings.listen;
  // TLS that cannot be set up is a reason not to start at all: found before anything else is opened.
  const tls = address ? loadTls(settings.tls) : undefined;
  // PostgreSQL's client is loaded only by a coordinator (`--store`): a daemon on its journal never pays for it.
  const coordinator = storeUrl ? await openCoordinator(paths, storeUrl, log) : null;
  let tcp: TcpEndpoint | null = null;
  let cdpListener: CdpListener | null = null;
  let web: SandboxWebListener | null = null;
  const parts = buildParts({
    paths,
    settings,
    clock,
    log,
    store,
    ...(coordinator ? { coordinator } : {}),
    urls: { socket: `ws+unix://${paths.socket}:`, tcp: () => tcp?.url ?? null, cdp: (id, token) => cdpListener!.url(id, token), sandbox: (s) => web!.url(s) },
  });
  const { core, registry, ports, browsers, remote, browserHost, hosts, sandboxes, joined } = parts;
  web = new SandboxWebListener(core, parts.sandboxSessions, log, parts.remoteSandboxes);
  await web.listen(settings.sandbox.web_port).catch((err: Error) => {
    log(`sandbox web port ${settings.sandbox.web_port}: ${err.message}; using any free port instead`);
    return web!.listen(0);
  });
  // Joined hosts are known before sessions resume: a session on one waits for its host rather than losing its board.
  await joined.load();
  await core.restore().catch(async (err: Error) => {
    if (!coordinator) throw err;
    await core.shutdown(true).catch(() => undefined);
    throw new UserError(`Could not start on the PostgreSQL store: ${err.message}.`, { next: 'Check the --store URL and that PostgreSQL runs (`pg_lsclusters`).' });
  });
  // A mirrored session's host may be flashing its board still: that job is followed again.
  parts.mirrorFlash.resume(core.all('board') as BoardRecord[]);
  const keys = coordinator ? await coordinator.keys() : new ApiKeyStore(paths.stateDir);
  if (coordinator) coordinator.registerBoards(parts.boardSet, parts.names, parts.hostsStatus);
  const tunnel = new HostTunnel(joined, clock, log);
  keys.on('retired', (name) => joined.disconnect(name, 'its host key was revoked or rotated'));
  const hostJoin = joinAsHost(join ?? null, settings, parts, clock, log);
  browserHost.prune(new Set(core.all('browser').map((s) => s.id)));
  parts.transcripts.prune((id) => core.get(id) !== undefined);
  const proxy = new CdpProxy(cdpSessions(core, browsers, remote), log);
  cdpListener = new CdpListener(proxy, log);
  await cdpListener.listen();
  const startedAt = Date.now();
  let stopping: Promise<void> | null = null;
  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  const upgrade = new SerialUpgrade(core, ports);
  const guard = new StateGuard(paths.stateDir, {
    rewriteJournal: () => core.compact(),
    saveKeys: () => keys.save(),
    restartTranscripts: () => ports.restartTranscripts(),
    log,
  });

  const stop = (keepSessions: boolean): Promise<void> => {
    stopping ??= (async () => {
      log(`stopping (${keepSessions ? 'keeping live sessions for the next start' : 'ending live sessions: host_shutdown'})`);
      server.close();
      tcpServer?.close();
      tcpServer?.closeAllConnections();
      guard.close();
      coordinator?.stop();
      await core.shutdown(keepSessions);
      // After the sessions' ends were said (to a coordinator, and to joined hosts): then the tunnels close.
      hostJoin?.client.close();
      await joined.close();
      tunnel.close();
      await parts.boards.settled(); // the on_end restores of the sessions just ended finish before the boards lose power
      registry.close();
      // WebSockets first: a server's close waits for its upgraded sockets (the dashboard's consoles) to end.
      upgrade.close();
      proxy.close();
      liveViews.close();
      cdpListener?.close();
      await dashboard.close();
      web?.close();
      await Promise.all([ports.closeAll(), browsers.close(), sandboxes.close()]);
      parts.mirrorFlash.close();
      await Promise.all([hosts.close(), parts.browserHosts.close()]);
      server.closeAllConnections();
      joinServer?.closeAllConnections();
      rmSync(paths.socket, { force: true });
      rmSync(paths.pidFile, { force: true });
      markStopped();
    })();
    return stopping;
  };

  const peers = coordinator ? new PeerRoutes(core, coordinator, (type) => parts.boardSet.list().some((b) => b.type === type)) : null;
  const router = buildRouter({
    peers,
    parts,
    settings,
    keys,
    startedAt,
    coordinator,
    clock,
    join: () => hostJoin?.client.view() ?? null,
    health: () => ({
      socket: paths.socket,
      listeners: [`unix:${paths.socket}`, ...(tcp ? [tcp.label] : []), ...(cdpListener?.address ? [`tcp:${cdpListener.address} (CDP only)`] : []), ...(web?.address ? [`tcp:${web.address} (sandbox URLs only)`] : []), ...dashboard.listeners()],
    }),
    boardEntries: {
      entries: () => settings.boards,
      save: (entries) => {
        settings.saveBoards(entries);
        registry.setEntries(settings.boards);
        log(`boards: ${entries.length} config entr${entries.length === 1 ? 'y' : 'ies'}`);
      },
    },
    admin: {
      stop: (keep) => void stop(keep),
      reload: (changed) => reloadConfig(parts, settings, log, changed),
    },
  });
  const liveViews = new LiveViewServer(liveViewSessions(core, browsers), clock, log);
  const direct = routeUpgrades([[isHostTunnelPath, tunnel], [isCdpPath, proxy], [isScreencastPath, liveViews], [isSandboxPortPath, web.ports]], upgrade);
  const serve = { router, upgrade: peers?.upgrades(direct) ?? direct, log, beforeRequest: () => core.pollStore() };
  const server = createApiServer({ ...serve, accountFor: () => LOCAL_ACCOUNT });
  // The coordinator's streams into this host (its browsers here) are served as its account, by the same routes.
  const joinServer = hostJoin?.serveWith(serve);
  const dashboard = createDashboard({
    ...serve,
    keys,
    paths,
    clock,
    remotes: () => Object.entries(settings.remotes).map(([name, r]) => ({ name, url: r.url, default: name === settings.defaultRemote })),
  });
  router.add(dashboard.routes);
  const tcpServer = address ? await dashboard.tcpServer({ address, tls, accounts: tcpAccounts(keys) }) : null;
  const abandon = async () => {
    guard.close();
    server.close();
    await dashboard.close();
    await core.shutdown(true);
    await joined.close();
    tunnel.close();
    proxy.close();
    liveViews.close();
    cdpListener?.close();
    web?.close();
    await Promise.all([browsers.close(), sandboxes.close()]);
    registry.close();
  };
  try {
    await listenPrivate(server, paths.socket);
  } catch (err) {
    await abandon();
    if ((err as { code?: string }).code === 'FBAY_RUNNING') {
      const health = await probeDaemon(paths.socket);
      if (health) return { alreadyRunning: health };
    }
    throw err;
  }
  if (tcpServer && address) {
    try {
      tcp = await listenTcp(tcpServer, address, tls !== undefined);
    } catch (err) {
      await abandon();
      rmSync(paths.socket, { force: true });
      throw err;
    }
    log(`serving teammates on ${tcp.label} (${tcp.url}); API keys required`);
  }
  if (coordinator) {
    coordinator.startHeartbeat(() => tcp?.url ?? null);
    log(`coordinator ${coordinator.name} on the PostgreSQL store`);
  }
  writePidFile(paths.pidFile);
  log(`listening on ${paths.socket} (pid ${process.pid})`);
  await hostJoin?.start();
  await dashboard.restore();
  afterStart(parts, settings);
  return { running: { core, boards: registry, server, stopped, stop } };
}

async function openCoordinator(paths: FbayPaths, storeUrl: string, log: (line: string) => void): Promise<Coordinator> {
  const { checkStoreUrl, Coordinator, coordinatorName } = await import('./runtime/coordinator.js');
  return new Coordinator(coordinatorName(paths), checkStoreUrl(storeUrl), log);
}
