// How long to wait before the next reconnect try: exponential with full jitter, so many clients cut at once spread out.

/**
 * The wait before retry number `retry` (1 for the first): uniform in [0, cap) with cap = initialMs · 2^(retry-1),
 * at most maxMs ("full jitter"). `random` returns [0, 1) like Math.random.
 */
export function backoffDelay(retry: number, initialMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(retry - 1, 0), 30));
  return Math.floor(random() * cap);
}
