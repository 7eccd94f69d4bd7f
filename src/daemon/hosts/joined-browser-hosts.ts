// The joined hosts that run browsers, as the browser provider sees them: what each offers now, and an API client
// per host whose connections are streams through its tunnel (the host speaks to it as its coordinator's account).
import type { Clock } from '../../shared/clock.js';
import type { BrowserHosts } from '../providers/browser/joined-browsers.js';
import { RemoteClient } from '../remote/remote-client.js';
import { offersOf, streamTo } from './host-offers.js';
import type { JoinedHosts } from './joined-hosts.js';

export class JoinedBrowserHosts implements BrowserHosts {
  private readonly clients = new Map<string, RemoteClient>();

  constructor(
    private readonly joined: JoinedHosts,
    private readonly clock: Clock,
    private readonly graceS: () => number,
  ) {}

  graceMs(): number {
    return this.graceS() * 1000;
  }

  offers(): ReadonlyArray<{ host: string; browsers: number }> {
    return offersOf(this.joined.hosts).filter((o) => o.browsers > 0);
  }

  client(host: string): RemoteClient {
    let client = this.clients.get(host);
    if (!client) {
      // The URL names the host only for messages and the Host header: every connection goes through its tunnel.
      client = new RemoteClient(host, { url: `http://${host}.joined`, key: '' }, this.clock, () => streamTo(this.joined.hosts, host));
      this.clients.set(host, client);
    }
    return client;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.clients.values()].map((c) => c.close()));
  }
}
