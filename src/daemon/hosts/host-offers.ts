// What the connected joined hosts offer their coordinator besides boards (browsers, sandboxes), and byte streams into
// them: how the providers that place sessions there see the hosts.
import type { Duplex } from 'node:stream';
import { connectedLink, type Host } from './joined-host.js';

export interface HostOffer {
  host: string;
  browsers: number;
  sandboxes: number;
}

/** The connected hosts, and how many browsers and sandboxes each runs at once for this coordinator. */
export function offersOf(hosts: ReadonlyMap<string, Host>): HostOffer[] {
  return [...hosts.values()].flatMap((h) => (connectedLink(h) ? [{ host: h.record.name, browsers: h.browsers, sandboxes: h.sandboxes }] : []));
}

/** A byte stream into a connected host's API server (or a port in a sandbox there); while it is away, a refusal. */
export function streamTo(hosts: ReadonlyMap<string, Host>, name: string, sandbox?: { session: string; port: number }): Duplex {
  const host = hosts.get(name);
  if (connectedLink(host) && host!.streams) return host!.streams.connect(sandbox);
  throw Object.assign(new Error(`host '${name}' is not connected to this coordinator`), { code: 'ECONNREFUSED' });
}
