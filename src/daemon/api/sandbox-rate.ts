// Per-plan request rates on the sandbox routes (100 a minute on Free, 1,000 on Paid): a window of a minute per
// account, from its first request in it, reported on every answer in X-RateLimit-* headers; past it, 429.
import type { Clock } from '../../shared/clock.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { RATE_HEADERS } from '../../transport/protocol/sandbox-api.js';
import type { ApiRequest } from '../http/router.js';

const WINDOW_MS = 60_000;

interface Window {
  start: number;
  count: number;
}

export class SandboxRateLimit {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    /** The account's plan: its name and requests a minute. */
    private readonly planOf: (account: string) => { name: string; requests_per_min: number },
  ) {}

  /** Counts one request of `r`'s account; sets the headers on its answer; 429 rate_limited past the plan's rate. */
  take(r: ApiRequest): void {
    const now = this.clock.now();
    const plan = this.planOf(r.account);
    let w = this.windows.get(r.account);
    if (!w || now - w.start >= WINDOW_MS) {
      w = { start: now, count: 0 };
      this.windows.set(r.account, w);
      if (this.windows.size > 10_000) this.prune(now);
    }
    w.count++;
    const reset = w.start + WINDOW_MS;
    const headers = {
      [RATE_HEADERS.limit]: String(plan.requests_per_min),
      [RATE_HEADERS.remaining]: String(Math.max(0, plan.requests_per_min - w.count)),
      // Unix seconds when the window starts again.
      [RATE_HEADERS.reset]: String(Math.ceil(reset / 1000)),
    };
    for (const [k, v] of Object.entries(headers)) r.res.setHeader(k, v);
    if (w.count <= plan.requests_per_min) return;
    const wait = Math.max(1, Math.ceil((reset - now) / 1000));
    throw new ApiError(
      'rate_limited',
      `Account ${r.account} has made the ${plan.requests_per_min} sandbox requests a minute its plan (${plan.name}) allows; retry in ${wait} s.`,
      { plan: plan.name, requests_per_min: plan.requests_per_min },
      { ...headers, 'retry-after': String(wait) },
    );
  }

  private prune(now: number): void {
    for (const [account, w] of this.windows) if (now - w.start >= WINDOW_MS) this.windows.delete(account);
  }
}
