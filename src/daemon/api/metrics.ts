// GET /metrics: Prometheus text for the owner (Unix socket) or a metrics key (`fbay keys create --metrics NAME`).
import { ApiError } from '../../transport/protocol/errors.js';
import type { ApiKeyStore } from '../auth/api-keys.js';
import type { DaemonParts } from '../compose.js';
import type { Route } from '../http/router.js';
import type { Coordinator } from '../runtime/coordinator.js';
import { renderMetrics } from '../runtime/metrics.js';
import { LOCAL_ACCOUNT } from '../sessions/core-base.js';

export const METRICS_PATH = '/metrics';

export function metricsRoutes(parts: DaemonParts, keys: ApiKeyStore, coordinator: Coordinator | null): Route[] {
  const { core } = parts;
  return [
    {
      method: 'GET',
      path: METRICS_PATH,
      summary: 'Prometheus metrics: sessions by kind and state, allocations, queue length, store latency, host heartbeat lag.',
      handler: async (r) => {
        if (r.account !== LOCAL_ACCOUNT && keys.roleOf(r.account) !== 'metrics') {
          throw new ApiError('forbidden', 'Metrics are for the owner or a metrics key.', { next: 'Ask the owner for one: `fbay keys create --metrics NAME`.' });
        }
        const kinds = [...new Set(core.all().map((s) => s.kind)), 'board', 'browser'];
        const text = renderMetrics({
          sessions: core.all().filter((s) => core.isLive(s)),
          allocations: parts.metrics.allocations,
          queued: new Map([...new Set(kinds)].map((k) => [k, core.queued(k)])),
          store: parts.metrics.storeLatency,
          hosts: coordinator ? await coordinator.fleet.hosts().catch(() => []) : [],
          now: Date.now(),
        });
        r.res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        r.res.end(text);
        return 'streaming' as const;
      },
    },
  ];
}
