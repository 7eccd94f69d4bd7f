// The remote fbay hosts this daemon reaches (config `remotes`): one client per host, rebuilt when its entry changes.
import { ApiError } from '../../transport/protocol/errors.js';
import { RemoteClient, type RemoteConfig } from './remote-client.js';
import { systemClock, type Clock } from '../../shared/clock.js';

export class RemoteHosts {
  private readonly clients = new Map<string, RemoteClient>();

  constructor(
    private readonly remotes: () => Record<string, RemoteConfig>,
    private readonly clock: Clock = systemClock,
  ) {}

  names(): string[] {
    return Object.keys(this.remotes());
  }

  /** The client for a remote by name; 404 naming the known ones for an unknown name. */
  client(name: string): RemoteClient {
    const remotes = this.remotes();
    const config = Object.hasOwn(remotes, name) ? remotes[name] : undefined;
    if (!config) {
      const known = this.names();
      throw new ApiError('not_found', `No remote named '${name}'.${known.length ? ` Remotes: ${known.join(', ')}.` : ''} Add one with \`fbay remote add ${name} URL --key KEY\`.`);
    }
    let client = this.clients.get(name);
    if (!client || client.config.url !== config.url || client.config.key !== config.key || client.config.ca !== config.ca) {
      void client?.close();
      client = new RemoteClient(name, config, this.clock);
      this.clients.set(name, client);
    }
    return client;
  }

  /** GET a path on a host for the caller (boards, account): the host's answer, passed through. */
  async get<T>(host: string, path: string): Promise<T> {
    return (await this.client(host).json<T>('GET', path, { retry: true })).body;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.clients.values()].map((c) => c.close()));
  }
}
