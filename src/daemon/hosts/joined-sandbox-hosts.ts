// The joined hosts that run sandboxes, as the sandbox provider sees them: what each offers now, its API through its
// tunnel (the same clients the browsers use), streams to ports inside its sandboxes, and the moves it is told.
import type { Duplex } from 'node:stream';
import type { HostSandboxState, SandboxHosts } from '../providers/sandbox/joined-sandboxes.js';
import type { RemoteClient } from '../remote/remote-client.js';
import { offersOf, streamTo } from './host-offers.js';
import { hostAway } from './joined-host.js';
import type { JoinedHosts } from './joined-hosts.js';

export class JoinedSandboxHosts implements SandboxHosts {
  constructor(
    private readonly joined: JoinedHosts,
    private readonly clients: { client(host: string): RemoteClient },
  ) {}

  offers(): ReadonlyArray<{ host: string; sandboxes: number }> {
    return offersOf(this.joined.hosts).filter((o) => o.sandboxes > 0);
  }

  client(host: string): RemoteClient {
    return this.clients.client(host);
  }

  stream(host: string, sandbox?: { session: string; port: number }): Duplex {
    return streamTo(this.joined.hosts, host, sandbox);
  }

  async tell(host: string, session: string, state: HostSandboxState): Promise<void> {
    const link = this.joined.linkTo(host);
    if (!link) throw hostAway(host);
    await link.call({ op: 'sandbox', session, state });
  }

  expect(host: string): boolean {
    return this.joined.expect(host);
  }
}
