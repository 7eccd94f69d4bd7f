// Prometheus text exposition (format 0.0.4) of what an operator watches: sessions by kind and state, allocations,
// queue length, the store's latency, and each joined host's heartbeat lag.
import type { HostRow } from '../sessions/store/pg-fleet.js';

/** Store call latency buckets, in seconds. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class Histogram {
  private readonly counts = new Map<string, number[]>();
  private readonly sums = new Map<string, number>();

  observe(op: string, seconds: number): void {
    let c = this.counts.get(op);
    if (!c) this.counts.set(op, (c = new Array<number>(BUCKETS.length + 1).fill(0)));
    const i = BUCKETS.findIndex((b) => seconds <= b);
    c[i < 0 ? BUCKETS.length : i]!++;
    this.sums.set(op, (this.sums.get(op) ?? 0) + seconds);
  }

  lines(name: string): string[] {
    const out = [`# HELP ${name} Time a session store call took, by operation.`, `# TYPE ${name} histogram`];
    for (const [op, c] of this.counts) {
      let cumulative = 0;
      BUCKETS.forEach((b, i) => out.push(`${name}_bucket{op="${op}",le="${b}"} ${(cumulative += c[i]!)}`));
      cumulative += c[BUCKETS.length]!;
      out.push(`${name}_bucket{op="${op}",le="+Inf"} ${cumulative}`, `${name}_sum{op="${op}"} ${this.sums.get(op)!}`, `${name}_count{op="${op}"} ${cumulative}`);
    }
    return out;
  }
}

export interface MetricsInput {
  sessions: Array<{ kind: string; state: string }>;
  allocations: Map<string, number>;
  queued: Map<string, number>;
  store: Histogram;
  hosts: HostRow[];
  now: number;
}

const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function renderMetrics(m: MetricsInput): string {
  const out: string[] = ['# HELP fbay_sessions Sessions this daemon holds, by kind and state.', '# TYPE fbay_sessions gauge'];
  const counts = new Map<string, number>();
  for (const s of m.sessions) counts.set(`${s.kind}\u0000${s.state}`, (counts.get(`${s.kind}\u0000${s.state}`) ?? 0) + 1);
  for (const [key, n] of [...counts].sort()) {
    const [kind, state] = key.split('\u0000');
    out.push(`fbay_sessions{kind="${label(kind!)}",state="${label(state!)}"} ${n}`);
  }
  out.push('# HELP fbay_allocations_total Sessions that were given a resource, by kind.', '# TYPE fbay_allocations_total counter');
  for (const [kind, n] of m.allocations) out.push(`fbay_allocations_total{kind="${label(kind)}"} ${n}`);
  out.push('# HELP fbay_queue_length Sessions waiting for a resource, by kind.', '# TYPE fbay_queue_length gauge');
  for (const [kind, n] of m.queued) out.push(`fbay_queue_length{kind="${label(kind)}"} ${n}`);
  out.push(...m.store.lines('fbay_store_seconds'));
  if (m.hosts.length) {
    out.push('# HELP fbay_host_heartbeat_lag_seconds Time since each joined host last beat.', '# TYPE fbay_host_heartbeat_lag_seconds gauge');
    for (const h of m.hosts) {
      if (h.last_heartbeat_at) out.push(`fbay_host_heartbeat_lag_seconds{host="${label(h.name)}"} ${Math.max(0, (m.now - Date.parse(h.last_heartbeat_at)) / 1000)}`);
    }
  }
  return `${out.join('\n')}\n`;
}
