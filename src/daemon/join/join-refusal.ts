// Why a coordinator would not take this host (its answer to the tunnel's handshake), in words an operator can act on.
import type { ReconnectError } from '../../transport/reconnecting-websocket.js';

/** Why the coordinator will not take this host, in words an operator can act on. */
export function refusal(err: ReconnectError | undefined): string {
  if (err?.status === 401) return 'HTTP 401: the host key is not valid or was revoked. Make one on the coordinator with `fbay keys create --host NAME`.';
  if (err?.status === 403) return 'HTTP 403: that key is a user key, not a host key. Make a host key on the coordinator with `fbay keys create --host NAME`.';
  return err?.message ?? 'unknown';
}
