// Which host a request is for: this one, or a remote named by the `fbay-remote` header (or config default_remote).
import { ApiError } from '../../transport/protocol/errors.js';
import { HEADERS } from '../../transport/protocol/headers.js';
import type { ApiRequest } from '../http/router.js';
import type { RemoteHosts } from '../remote/remote-hosts.js';
import { LOCAL_ACCOUNT } from '../sessions/core-base.js';

export const REMOTE_HEADER = HEADERS.remote;

/** What routes need to send a request on to a remote host. */
export interface RemoteRouting {
  defaultRemote(): string | null;
  hosts: RemoteHosts;
  /** A remote sandbox's URL (its host's loopback listener) as this machine opens it: through this daemon. */
  sandboxUrl?(url: string): string;
}

/** The remote a request is for, or null for this host. Only the owner (Unix socket) reaches through to remotes. */
export function targetHost(r: ApiRequest, routing: RemoteRouting | undefined): string | null {
  const header = r.req.headers[REMOTE_HEADER];
  const named = typeof header === 'string' ? header : routing && r.account === LOCAL_ACCOUNT ? routing.defaultRemote() : null;
  if (!named || named === 'local') return null;
  if (!routing || r.account !== LOCAL_ACCOUNT) {
    throw new ApiError('forbidden', 'Only the machine owner, on the Unix socket, can act on remote hosts through this daemon.');
  }
  routing.hosts.client(named); // 404 naming the known remotes
  return named;
}

/**
 * The remote a request about one session is for: the one the request names, else the default remote — unless the
 * session is this daemon's (a mirror, or one made here before the default was set or with `--remote local`).
 */
export function remoteFor(r: ApiRequest, routing: RemoteRouting | undefined, isHere: (id: string) => boolean): string | null {
  const host = targetHost(r, routing);
  if (host === null || typeof r.req.headers[REMOTE_HEADER] === 'string') return host;
  const id = r.params.id;
  return id !== undefined && isHere(id) ? null : host;
}

/** For list filters: the header's host ('local' → null); undefined when the request did not name one. */
export function namedHost(r: ApiRequest): string | null | undefined {
  const header = r.req.headers[REMOTE_HEADER];
  if (typeof header !== 'string') return undefined;
  return header === 'local' ? null : header;
}

/** A remote's session as this daemon answers with it: `host` naming the remote, a sandbox's URL one that opens here. */
export function fromRemote<T extends object>(routing: RemoteRouting, host: string, s: T): T & { host: string } {
  const url = (s as { url?: unknown }).url;
  const here = typeof url === 'string' && (s as { kind?: unknown }).kind === 'sandbox' && routing.sandboxUrl ? { url: routing.sandboxUrl(url) } : {};
  return { ...s, host, ...here };
}
