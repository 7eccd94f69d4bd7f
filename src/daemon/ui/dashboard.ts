// The dashboard as the daemon sees it: one call builds it, its routes join the daemon's router, and the servers behind
// it (loopback for `fbay ui`, the `--listen` one) are loaded only when one is wanted.
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { FbayPaths } from '../../shared/paths.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { readJson } from '../http/body.js';
import type { Route, Router } from '../http/router.js';
import type { ServerOptions } from '../http/server.js';
import { LOCAL_ACCOUNT } from '../sessions/core-base.js';
import { hostRoutes, ownerOnly, type RemoteView } from './host-routes.js';

export interface DashboardDeps {
  /** The daemon's API router: the dashboard's /v1 calls go through it with the login's account. */
  router: Router;
  /** The daemon's WebSocket upgrade (serial, CDP), called with the ticket's account. */
  upgrade: ServerOptions['upgrade'];
  /** API keys: the login form trades one for its account; a key's logins end when it is revoked. */
  keys: { authenticate(key: string): string | null; get(name: string): { revoked_at: string | null } | undefined };
  log(message: string): void;
  beforeRequest?: ServerOptions['beforeRequest'];
  paths: FbayPaths;
  clock?: Clock;
  /** For the host page: the remote hosts this daemon mirrors (their keys are never shown). */
  remotes?: () => RemoteView[];
  /** Where the built page is (default dist/ui next to the compiled daemon). */
  assetsDir?: string;
}

export interface TcpDashboardOptions {
  /** `--listen HOST:PORT`. */
  address: string;
  tls?: { cert: Buffer; key: Buffer } | undefined;
  /** The TCP listener's API-key accounts (tcpAccounts(keys)): requests that bring a key go on as before. */
  accounts: Pick<ServerOptions, 'accountFor' | 'publicAccount'>;
}

export interface Dashboard {
  /** Add to the daemon's router: POST /v1/ui/login (what `fbay ui` calls), GET /v1/daemon/log, GET /v1/remotes. */
  routes: Route[];
  /** For GET /v1/health's listeners: `ui:http://127.0.0.1:PORT/ui/` while the loopback dashboard runs. */
  listeners(): string[];
  /** The server for `--listen`: the API with keys as before, plus the dashboard under /ui/ (log in with a key). */
  tcpServer(options: TcpDashboardOptions): Promise<Server>;
  /** After the daemon listens: opens the loopback dashboard again on its last port if anyone is still logged in. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

type Loaded = Awaited<ReturnType<typeof load>>;

async function load(deps: DashboardDeps) {
  const [{ UiSessions }, { UiStateFile }, { StaticFiles }, { LoopbackDashboard }, { createUiServer }, { listenHosts }, { parseListen }, { ConfigStore }, { FirstPaint }] =
    await Promise.all([
      import('./ui-sessions.js'),
      import('./ui-state.js'),
      import('./static-files.js'),
      import('./loopback.js'),
      import('./ui-server.js'),
      import('./guards.js'),
      import('../../shared/config-keys.js'),
      import('../../shared/config-store.js'),
      import('./first-paint.js'),
    ]);
  const state = new UiStateFile(deps.paths.stateDir, deps.log);
  const sessions = new UiSessions({
    clock: deps.clock ?? systemClock,
    saved: state.state.sessions,
    persist: (list) => state.update({ sessions: list }),
    accountValid: (account) => deps.keys.get(account)?.revoked_at === null,
  });
  const files = new StaticFiles(deps.assetsDir);
  // Rendered by the build next to the page's (dist/ui-server beside dist/ui), when there is one.
  const firstPaint = new FirstPaint(deps.router, deps.log, deps.assetsDir ? join(deps.assetsDir, '../ui-server/first-paint.js') : undefined);
  const core = { router: deps.router, upgrade: deps.upgrade, sessions, files, firstPaint, keyAccount: (k: string) => deps.keys.authenticate(k), log: deps.log, beforeRequest: deps.beforeRequest };
  const loopback = new LoopbackDashboard(core, (port) => {
    if (state.state.port !== port) state.update({ port });
  });
  const uiHosts = () => (new ConfigStore(deps.paths).read() as { ui?: { hosts?: string[] } }).ui?.hosts ?? [];
  return { state, sessions, core, loopback, createUiServer, listenHosts, parseListen, uiHosts };
}

export function createDashboard(deps: DashboardDeps): Dashboard {
  let loaded: Promise<Loaded> | null = null;
  const get = () => (loaded ??= load(deps));
  let current: Loaded | null = null;
  const routes: Route[] = [
    {
      method: 'POST',
      path: '/v1/ui/login',
      handler: async (r) => {
        ownerOnly(r.account);
        const body = (await readJson(r.req)) as { port?: unknown };
        const port = body.port;
        if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535)) {
          throw new ApiError('invalid_request', `port must be a whole number from 0 to 65535 (0 = any free port); got ${JSON.stringify(port)}.`);
        }
        const ui = (current = await get());
        const got = await ui.loopback.ensure(port as number | undefined, ui.state.state.port);
        const { token, expires_at } = ui.sessions.mintLoginToken(LOCAL_ACCOUNT);
        const base = `http://127.0.0.1:${got}`;
        return { status: 201, body: { url: `${base}/login?token=${token}`, dashboard: `${base}/ui/`, port: got, expires_at: new Date(expires_at).toISOString() } };
      },
    },
    ...hostRoutes(deps.paths.logFile, () => deps.remotes?.() ?? []),
  ];
  return {
    routes,
    listeners: () => {
      const url = current?.loopback.url();
      return url ? [`ui:${url}/ui/`] : [];
    },
    tcpServer: async ({ address, tls, accounts }) => {
      const ui = (current = await get());
      // A bad address is reported by the listen itself, with its hint.
      const listen = ui.parseListen(address) ?? { host: '', port: 0 };
      return ui.createUiServer(ui.core, {
        mode: 'tcp',
        hosts: (port) => ui.listenHosts(listen.host, port, ui.uiHosts()),
        ...(tls ? { tls } : {}),
        keyAccounts: accounts,
      });
    },
    restore: async () => {
      // A daemon whose owner never ran `fbay ui` loads none of the dashboard.
      if (!existsSync(join(deps.paths.stateDir, 'ui.json'))) return;
      const ui = (current = await get());
      const port = ui.state.state.port;
      if (port === null || ui.sessions.live().every((s) => s.via !== 'token')) return;
      await ui.loopback.ensure(port, null).catch((err: Error) => deps.log(`dashboard: not reopened on port ${port}: ${err.message}`));
    },
    close: async () => {
      if (loaded) await (await loaded).loopback.close();
    },
  };
}
