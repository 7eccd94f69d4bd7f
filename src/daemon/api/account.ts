// GET /v1/auth/me and GET /v1/health: who is asking, and is the daemon there.
import type { Health } from '../../transport/protocol/api.js';
import type { Route } from '../http/router.js';
import type { SessionEngine } from '../engine/session-engine.js';
import { VERSION } from '../../shared/version.js';
import { targetHost, type RemoteRouting } from './remote-target.js';

export function accountRoutes(engine: SessionEngine, remotes?: RemoteRouting): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/auth/me',
      handler: async (r) => {
        const host = targetHost(r, remotes);
        return { status: 200, body: host ? await remotes!.get(host, '/v1/auth/me') : engine.account(r.account) };
      },
    },
  ];
}

export function healthRoutes(info: () => Omit<Health, 'version' | 'pid' | 'uptime_s'>, startedAt: number): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/health',
      public: true,
      handler: () => {
        const health: Health = { version: VERSION, pid: process.pid, uptime_s: Math.floor((Date.now() - startedAt) / 1000), ...info() };
        return { status: 200, body: health };
      },
    },
  ];
}
