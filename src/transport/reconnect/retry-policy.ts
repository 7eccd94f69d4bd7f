// Which failures are worth another try: a refused handshake says whether the session still exists; a drop usually is.

/** A failed try or a dropped connection: `status` when the server answered the handshake with HTTP, `closeCode`
 *  when an open connection was closed. */
export type ReconnectError = Error & { status?: number; closeCode?: number };

/** The handshake's HTTP answer as an error the policy can read. */
export function handshakeRefused(status: number): ReconnectError {
  return Object.assign(new Error(`the server refused the WebSocket: HTTP ${status}`), { status });
}

/**
 * Default: a 4xx answer (session gone, key wrong or revoked…) will not change by asking again, except 408 and 429;
 * network errors, 5xx (a host restarting, a proxy in front of it) and drops are retried until the deadline.
 */
export function defaultRetryable(err: ReconnectError): boolean {
  const status = err.status;
  if (status === undefined) return true;
  return status >= 500 || status === 408 || status === 429;
}
