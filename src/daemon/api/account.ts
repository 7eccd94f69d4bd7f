// GET /v1/auth/me and GET /v1/health: who is asking, and is the daemon there.
import type { Health } from '../../transport/protocol/api.js';
import { ROUTES } from '../../transport/protocol/paths.js';
import { VERSION } from '../../shared/version.js';
import type { Route } from '../http/router.js';
import { LOCAL_ACCOUNT } from '../sessions/core-base.js';
import type { SessionCore } from '../sessions/session-core.js';
import type { Coordinator } from '../runtime/coordinator.js';
import { targetHost, type RemoteRouting } from './remote-target.js';

export function accountRoutes(core: SessionCore, remotes?: RemoteRouting): Route[] {
  return [
    {
      method: 'GET',
      path: ROUTES.me,
      summary: 'Your account: tier, balance, limits.',
      handler: async (r) => {
        const host = targetHost(r, remotes);
        return { status: 200, body: host ? await remotes!.hosts.get(host, '/v1/auth/me') : core.account(r.account) };
      },
    },
  ];
}

/** `{version}` for anyone; the owner (on the Unix socket) also gets the pid, uptime, socket and listeners. */
export function healthRoutes(info: () => Omit<Health, 'version' | 'pid' | 'uptime_s'>, startedAt: number, coordinator: Coordinator | null = null): Route[] {
  return [
    {
      method: 'GET',
      path: ROUTES.health,
      public: true,
      summary: 'Is the daemon there, and which version.',
      handler: async (r) => {
        if (r.account !== LOCAL_ACCOUNT) return { status: 200, body: { version: VERSION } };
        const health: Health = { version: VERSION, pid: process.pid, uptime_s: Math.floor((Date.now() - startedAt) / 1000), ...info() };
        // A coordinator also says which one it is and the hosts joined to it.
        if (coordinator) Object.assign(health, { coordinator: coordinator.name, fleet: await coordinator.fleet.hosts().catch(() => []) });
        return { status: 200, body: health };
      },
    },
  ];
}
