// The daemon's route table: every API route, built from the parts they serve.
import { uploadLimit } from './flash/job-plan.js';
import type { Health, JoinStatus } from '../transport/protocol/api.js';
import { Router, type Route } from './http/router.js';
import { accountRoutes, healthRoutes } from './api/account.js';
import { adminRoutes, type AdminActions } from './api/admin.js';
import { boardRoutes, type BoardEntryStore } from './api/boards.js';
import { fleetBoardView } from './api/fleet-boards.js';
import { browserRoutes } from './api/browsers.js';
import { eventRoutes } from './api/events.js';
import { flashRoutes } from './api/flash.js';
import { hostRoutes } from './api/hosts.js';
import { keyRoutes } from './api/keys.js';
import { openapiRoutes } from './api/openapi.js';
import type { RemoteRouting } from './api/remote-target.js';
import { serialRoutes } from './api/serial.js';
import { sessionRoutes } from './api/sessions.js';
import { usageRoutes } from './api/usage.js';
import { sandboxApi } from './api/sandboxes.js';
import type { Clock } from '../shared/clock.js';
import type { ApiKeyStore } from './auth/api-keys.js';
import type { DaemonParts } from './compose.js';
import { SessionChanges } from './providers/board/board-changes.js';
import type { DaemonSettings } from './settings.js';
import { metricsRoutes } from './api/metrics.js';
import type { Coordinator } from './runtime/coordinator.js';
import type { PeerRoutes } from './runtime/peer-routes.js';

export interface RouteOptions {
  parts: DaemonParts;
  settings: DaemonSettings;
  keys: ApiKeyStore;
  admin: AdminActions;
  boardEntries: BoardEntryStore;
  health(): Omit<Health, 'version' | 'pid' | 'uptime_s'>;
  startedAt: number;
  /** Set when the daemon is a coordinator on PostgreSQL. */
  coordinator?: Coordinator | null;
  clock: Clock;
  /** This daemon's own tunnel to a coordinator, if it joined one. */
  join(): JoinStatus | null;
  /** On a coordinator: requests for sessions another coordinator runs go there. */
  peers?: PeerRoutes | null;
}

export function buildRouter({ parts, settings, keys, admin, boardEntries, health, startedAt, coordinator = null, clock, join, peers = null }: RouteOptions): Router {
  const { core, boardSet, ports, transcripts, hosts } = parts;
  const routing: RemoteRouting = { defaultRemote: () => settings.defaultRemote, hosts, sandboxUrl: (url) => parts.remoteSandboxes.localUrl(url) };
  const router = new Router();
  const sandboxes = sandboxApi(core, parts.sandboxSessions, clock, routing, peers ?? undefined);
  const viaOwner = (routes: Route[]) => peers?.routes(routes) ?? routes;
  router.add(viaOwner([
    ...healthRoutes(health, startedAt, coordinator),
    ...metricsRoutes(parts, keys, coordinator),
    ...keyRoutes(keys, core),
    ...accountRoutes(core, routing),
    ...boardRoutes(core, () => boardSet.list(), boardEntries, routing, {
      restore: (id) => parts.restore.status(id),
      // A joined host's board: as its host last offered it (it switches it, and flashes it).
      power: (id) => parts.joined.get(id)?.power ?? { control: parts.power.control(id), state: parts.power.state(id) },
      flash: (id) => {
        const joined = parts.joined.get(id);
        if (!joined) return parts.flashes.capacity(id);
        return joined.flash ? { method: joined.flash, max_bytes: uploadLimit(joined.flash) } : null;
      },
    }, coordinator ? async (account) => (await coordinator.fleet.othersBoards()).map((row) => fleetBoardView(row, account)) : undefined),
    ...sessionRoutes(core, new SessionChanges(core, hosts), routing, sandboxes.api, peers ?? undefined),
    ...sandboxes.routes,
    ...serialRoutes(core, ports, transcripts),
    ...flashRoutes(parts, routing),
    ...eventRoutes(core, (listener) => {
      boardSet.on('change', listener);
      return () => boardSet.off('change', listener);
    }),
    ...browserRoutes(core, { maxConcurrent: () => settings.browsers.max_concurrent, host: parts.browserHost, joinedArtifacts: (s) => parts.browsers.joined?.artifactSource(s) ?? null, joinedSlots: () => parts.browsers.joined?.slots() ?? [], ...(peers ? { elsewhere: peers } : {}) }, routing),
    ...usageRoutes(core),
    ...adminRoutes(admin),
    ...hostRoutes({ hostsStatus: parts.hostsStatus, join }),
  ]));
  router.add(openapiRoutes(() => router.routes));
  return router;
}
