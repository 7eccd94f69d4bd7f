// The remote fbay hosts this daemon mirrors sessions from: creating upstream, holding the line, ending upstream.
import { randomUUID } from 'node:crypto';
import type { CreateSessionRequest, Session } from '../../transport/protocol/api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import type { OpenedPort } from '../boards/board-registry.js';
import type { SessionEngine } from '../engine/session-engine.js';
import { requestHash } from '../engine/idempotency.js';
import { RemoteClient, type RemoteConfig } from './remote-client.js';
import { UpstreamLine, upstreamPort } from './upstream-line.js';

const DEFAULT_IDLE_S = 30;

export class RemoteHosts {
  private readonly clients = new Map<string, RemoteClient>();
  private engine: SessionEngine | null = null;
  /** Mirrors whose end the host announced: ending them locally must not DELETE upstream again. */
  private readonly endedUpstream = new Set<string>();

  constructor(
    private readonly remotes: () => Record<string, RemoteConfig>,
    private readonly log: (message: string) => void,
  ) {}

  bind(engine: SessionEngine): void {
    this.engine = engine;
    engine.on('event', (e) => {
      if (e.type !== 'ended' || !e.session.host) return;
      if (this.endedUpstream.delete(e.session_id)) return;
      // Ended here (idle countdown of local clients, `session end`, upstream_lost): release the board upstream too.
      void this.client(e.session.host)
        .json('DELETE', `/v1/sessions/${e.session_id}`, { retry: true })
        .catch((err: unknown) => this.log(`could not end ${e.session_id} on ${e.session.host}: ${(err as Error).message}`));
    });
  }

  names(): string[] {
    return Object.keys(this.remotes());
  }

  client(name: string): RemoteClient {
    const config = this.remotes()[name];
    if (!config) {
      const known = this.names();
      throw new ApiError('not_found', `No remote named '${name}'.${known.length ? ` Remotes: ${known.join(', ')}.` : ''} Add one with \`fbay remote add ${name} URL --key KEY\`.`);
    }
    let client = this.clients.get(name);
    if (!client || client.config.url !== config.url || client.config.key !== config.key || client.config.ca !== config.ca) {
      void client?.close();
      client = new RemoteClient(name, config);
      this.clients.set(name, client);
    }
    return client;
  }

  /** Creates the session on the host (safe to retry: one Idempotency-Key), then mirrors it here under the same id. */
  async create(account: string, host: string, req: CreateSessionRequest, key: string | null): Promise<Session> {
    const client = this.client(host);
    const idempotencyKey = key ?? randomUUID();
    // The host runs its own idle countdown against this daemon's held line; the local one applies to local clients.
    const { idle_timeout_s: localIdle, ...upstreamReq } = req;
    const { body: upstream } = await client.json<Session>('POST', '/v1/sessions', {
      body: upstreamReq,
      headers: { 'idempotency-key': idempotencyKey },
      retry: true,
    });
    return this.engine!.mirrors.adopt(account, host, upstream, localIdle ?? null, idempotencyKey, requestHash({ host, ...req }));
  }

  /** The mirror's line to its host, as a port for the relay; resolves once it is open. */
  async open(host: string, session: Session, startOffset: number): Promise<OpenedPort> {
    const engine = this.engine!;
    const id = session.id;
    // The host's idle window bounds how long the line may be down; if the host cannot say now, assume the default.
    const upstreamIdle = await this.client(host)
      .json<Session>('GET', `/v1/sessions/${id}`, { retry: true })
      .then((r) => r.body.idle_timeout_s, () => DEFAULT_IDLE_S);
    const line = new UpstreamLine(this.client(host), id, startOffset, upstreamIdle, {
      state: (s) => engine.mirrors.update(id, s),
      warning: (kind, endsAt) => engine.mirrors.warning(id, kind, endsAt),
      ended: (reason, at, credits) => {
        this.endedUpstream.add(id);
        engine.mirrors.ended(id, reason, at, credits);
      },
      link: (state, deadline) => engine.mirrors.link(id, { state, deadline }),
      lost: (reason, err) => {
        this.log(`session ${id}: the line to ${host} is lost (${reason}${err ? `: ${err.message}` : ''})`);
        engine.mirrors.ended(id, 'upstream_lost', Date.now(), null);
      },
      log: (message) => this.log(`session ${id} on ${host}: ${message}`),
    });
    await line.ready;
    return upstreamPort(line, host, session);
  }

  /** GET a path on a host for the caller (boards, account): the host's answer, passed through. */
  async get<T>(host: string, path: string): Promise<T> {
    return (await this.client(host).json<T>('GET', path, { retry: true })).body;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.clients.values()].map((c) => c.close()));
  }
}
