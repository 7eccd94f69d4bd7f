// Everything the daemon needs for browser sessions, built in one call: reap leftovers, restore, listen for CDP, stop.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Clock } from '../../shared/clock.js';
import type { FbayPaths } from '../../shared/paths.js';
import { BrowserEngine } from './browser-engine.js';
import { browserDirs } from './browser-dirs.js';
import { BrowserSettingsSource } from './browser-settings.js';
import { FileBrowserStore } from './browser-store.js';
import { CdpListener } from './cdp-listener.js';
import { CdpProxy, isCdpPath, type CdpSessions } from './cdp-proxy.js';
import { LocalBrowserHost } from './local-host.js';
import { reapLeftovers } from './reaper.js';
import { RemoteBrowsers } from './remote-browsers.js';
import type { RemoteClient } from '../remote/remote-client.js';

export interface BrowserService {
  engine: BrowserEngine;
  /** Sessions on remote hosts, mirrored here. */
  remote: RemoteBrowsers;
  /** Listener descriptions for `daemon status`. */
  listeners(): string[];
  /** True when this upgrade is a CDP WebSocket (then handle() takes it). */
  wants(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, socket: Duplex, head: Buffer, account: string): void;
  reload(): void;
  /** Ends every live browser session (host_shutdown), then closes the CDP port. */
  close(): Promise<void>;
}

export interface BrowserServiceOptions {
  paths: FbayPaths;
  clock: Clock;
  log(message: string): void;
  /** For accounts that came in over the daemon's TCP listener: its ws(s):// base, where their API key lets them in. */
  tcpBase?(account: string): string | null;
  /** The client for a remote host by name (throws a 404 ApiError for an unknown one). */
  remoteClient?(name: string): RemoteClient;
}

export async function openBrowserService(options: BrowserServiceOptions): Promise<BrowserService> {
  const { paths, clock, log } = options;
  const dirs = browserDirs(paths.stateDir);
  reapLeftovers(dirs, log);
  const settings = new BrowserSettingsSource(paths);
  const host = new LocalBrowserHost(dirs, () => settings.get().executable, log);
  let listener: CdpListener | null = null;
  const engine = new BrowserEngine({
    clock,
    store: new FileBrowserStore(dirs.journal),
    host,
    settings: () => settings.get(),
    cdpUrl: (id, token, account) => {
      const base = options.tcpBase?.(account) ?? null;
      return base ? `${base}/v1/browsers/${id}/cdp` : listener!.url(id, token);
    },
    log,
  });
  engine.restore();
  const remote = new RemoteBrowsers({
    client: (name) => {
      if (!options.remoteClient) throw new Error('bug: no remote hosts were given to the browser service');
      return options.remoteClient(name);
    },
    cdpUrl: (id, token) => listener!.url(id, token),
    log,
  });
  const sessions: CdpSessions = {
    resolve: (id, account, token) => {
      if (remote.has(id)) return remote.resolve(id, account, token);
      return account === null ? engine.connectionForToken(id, token) : { account, connection: engine.connectionFor(account, id) };
    },
    clientConnected: (id, close) => (remote.has(id) ? remote.clientConnected(id, close) : engine.clientConnected(id, close)),
    end: (account, id) => (remote.has(id) ? remote.end(account, id) : engine.end(account, id, 'user_ended')),
  };
  const proxy = new CdpProxy(sessions, log);
  listener = new CdpListener(proxy, log);
  await listener.listen();
  return {
    engine,
    remote,
    listeners: () => (listener?.address ? [`tcp:${listener.address} (CDP only)`] : []),
    wants: (req) => isCdpPath(req.url),
    handle: (req, socket, head, account) => proxy.handle(req, socket, head, account),
    reload: () => {
      settings.reload();
      engine.settingsChanged();
    },
    async close() {
      await Promise.all([engine.shutdown(), remote.close()]);
      proxy.close();
      listener?.close();
    },
  };
}
