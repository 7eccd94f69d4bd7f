// Sandboxes on the hosts joined to this coordinator (`fbay daemon start --join` on a machine that runs them): the
// session is this coordinator's — its plan, its meter, its idle and sleep — and the sandbox runs on the host, made
// there as a session of the coordinator's account, told when to idle and sleep, used through the tunnel.
import type { Duplex } from 'node:stream';
import { ApiError } from '../../../transport/protocol/errors.js';
import type { SandboxSession } from '../../../transport/protocol/sandbox-api.js';
import type { RemoteClient } from '../../remote/remote-client.js';
import { StartFailure, type ProviderEvents } from '../../sessions/provider.js';
import { expiresAt, type SandboxRecord } from './sandbox-record.js';

export type HostSandboxState = 'active' | 'idle' | 'deep_sleep';

/** The joined hosts as the sandbox provider sees them. */
export interface SandboxHosts {
  /** The connected hosts that offer sandboxes, and how many each runs at once. */
  offers(): ReadonlyArray<{ host: string; sandboxes: number }>;
  /** A client of the host's API through its tunnel (as the coordinator's account there). */
  client(host: string): RemoteClient;
  /** A connection into the host's API server, or to a port inside the sandbox of a session; fails at once while it is away. */
  stream(host: string, sandbox?: { session: string; port: number }): Duplex;
  /** Tells the host to move the sandbox of a session. */
  tell(host: string, session: string, state: HostSandboxState): Promise<void>;
  /** A sandbox here runs there: while the host is away its grace runs (false: no such host is known). */
  expect(host: string): boolean;
}

type Emit = <K extends keyof ProviderEvents>(event: K, ...args: ProviderEvents[K]) => void;

/** A host answers a create once the sandbox's runtime is up (seconds at most): under the CLI's 30 s. */
const CREATE_BUDGET_MS = 25_000;

interface Placed {
  host: string;
  /** Its id on the host, once the host's create answered. */
  upstream: string | null;
}

export class JoinedSandboxes {
  private readonly placed = new Map<string, Placed>();

  constructor(
    readonly hosts: SandboxHosts,
    private readonly emit: Emit,
    private readonly now: () => number,
    private readonly log: (message: string) => void,
  ) {}

  /** The host with the most room left (its offer less what is placed there), held for `id`; null when none has room. */
  place(id: string, except: readonly string[] = []): string | null {
    let best: { host: string; room: number } | null = null;
    for (const o of this.hosts.offers()) {
      const room = o.sandboxes - this.on(o.host).length;
      if (room > 0 && !except.includes(o.host) && (!best || room > best.room)) best = { host: o.host, room };
    }
    if (best) this.placed.set(id, { host: best.host, upstream: null });
    return best?.host ?? null;
  }

  /** Whether a connected host has room for one more now (a create may still find it taken when it starts). */
  get room(): boolean {
    return this.hosts.offers().some((o) => o.sandboxes - this.on(o.host).length > 0);
  }

  /** Makes the sandbox on its host (the session's id is the Idempotency-Key there): the record's fields from its answer. */
  async start(s: SandboxRecord, host: string): Promise<Partial<SandboxRecord>> {
    const client = this.hosts.client(host);
    let body: SandboxSession;
    try {
      ({ body } = await client.json<SandboxSession>('POST', '/v1/sessions', {
        body: hostRequest(s, this.now()),
        headers: { 'idempotency-key': s.id },
        retry: true,
        timeoutMs: CREATE_BUDGET_MS,
      }));
    } catch (err) {
      if (this.placed.get(s.id)?.upstream === null) this.placed.delete(s.id);
      throw err;
    }
    const entry = this.placed.get(s.id);
    if (!entry) {
      // Ended while its host made it: the host's is deleted too, not left to its TTL.
      await this.remove(host, body.id);
      throw new StartFailure('user_ended', 'it was ended while its host created it');
    }
    entry.upstream = body.id;
    return { joined_host: host, upstream_id: body.id, isolation: body.isolation, limits: { ...s.limits, enforced: body.limits.enforced } };
  }

  /** Idle, deep sleep, or running again from deep sleep: said to its host, which does it. */
  tell(s: SandboxRecord, state: HostSandboxState): Promise<void> {
    return this.hosts.tell(s.joined_host!, s.id, state);
  }

  /** A connection to `port` inside the sandbox, through its host's tunnel. */
  connect(s: SandboxRecord, port: number): Duplex {
    return this.hosts.stream(s.joined_host!, { session: s.id, port });
  }

  /** From deep sleep: running again once its host says so; a host that is away finishes it when it joins again. */
  async wake(s: SandboxRecord): Promise<void> {
    try {
      await this.tell(s, 'active');
    } catch (err) {
      if (!(err instanceof ApiError) || err.code !== 'not_found') return this.log(`sandbox ${s.id}: waits for its host: ${(err as Error).message}`);
      return void this.emit('end', s.id, 'failed', this.now(), { failure_reason: `Its host ${s.joined_host} no longer has it.` });
    }
    if (s.state === 'waking') this.emit('update', s.id, {}, 'active');
  }

  /** Over: deleted on its host (one still being made there, once its host answers). False: it was not on one. */
  async stop(s: SandboxRecord): Promise<boolean> {
    const entry = this.placed.get(s.id);
    this.placed.delete(s.id);
    const upstream = entry?.upstream ?? s.upstream_id ?? null;
    if (upstream) await this.remove(entry?.host ?? s.joined_host!, upstream);
    return entry !== undefined || Boolean(s.joined_host);
  }

  /** After a restart: a sandbox placed on a host before. Its host's grace runs until it joins again. */
  resumed(s: SandboxRecord): void {
    this.placed.set(s.id, { host: s.joined_host!, upstream: s.upstream_id ?? null });
  }

  /** Once the restore is done: sandboxes resumed on a host that is away wait for it; on one no longer known, they end. */
  settle(): void {
    const hosts = new Set([...this.placed.values()].map((p) => p.host));
    for (const host of hosts) if (!this.hosts.expect(host)) this.lost(host, this.now());
  }

  /** The host's tunnel dropped: with sandboxes of this coordinator there, its grace runs. */
  left(host: string): void {
    if (this.on(host).length > 0) this.hosts.expect(host);
  }

  /** The host did not come back within its grace: its sandboxes end, charged up to its last heartbeat. */
  lost(host: string, heard: number): void {
    for (const id of this.on(host)) {
      this.log(`sandbox ${id}: host ${host} did not come back; it ends (host_lost)`);
      this.placed.delete(id);
      this.emit('end', id, 'host_lost', heard);
    }
  }

  /**
   * A host (re)joined: its sandboxes for this coordinator whose sessions here are over are deleted there, and those
   * this coordinator idled or put to sleep while the host was away (or across its own restart) are told again. What
   * the host did meanwhile is taken as it is: one it restarted into deep sleep sleeps here too (its processes are
   * gone; the next request wakes it), and one it no longer has at all has failed.
   */
  async reconcile(host: string, recordOf: (id: string) => SandboxRecord | undefined, isLive: (s: SandboxRecord) => boolean): Promise<void> {
    // A host that offers none and runs none of this coordinator's is not asked (a stream costs it a channel).
    if (!this.hosts.offers().some((o) => o.host === host) && this.on(host).length === 0) return;
    // Only sandboxes the host had made before it was asked can be missing from its answer.
    const made = this.on(host).filter((id) => this.placed.get(id)!.upstream !== null);
    const { body } = await this.hosts.client(host).json<{ sessions: SandboxSession[] }>('GET', '/v1/sessions?kind=sandbox', { retry: true });
    const listed = new Set<string>();
    for (const theirs of body.sessions) {
      const mine = theirs.metadata?.coordinator_session;
      if (typeof mine !== 'string') continue;
      listed.add(mine);
      const s = recordOf(mine);
      if (!s || !isLive(s) || this.placed.get(mine)?.host !== host) {
        this.log(`sandbox ${mine} is over here; deleting its sandbox ${theirs.id} on joined host ${host}`);
        await this.remove(host, theirs.id);
      } else if (s.state === 'waking') {
        await this.wake(s);
      } else if (theirs.state === 'deep_sleep' && (s.state === 'active' || s.state === 'idle')) {
        this.log(`sandbox ${s.id}: host ${host} started again with it in deep sleep (its processes are gone); the next request wakes it`);
        this.emit('update', s.id, {}, 'deep_sleep');
      } else if ((s.state === 'idle' || s.state === 'deep_sleep') && theirs.state !== s.state && theirs.state !== 'deep_sleep') {
        await this.tell(s, s.state).catch((err: Error) => this.log(`sandbox ${s.id} on ${host}: ${err.message}`));
      }
    }
    for (const id of made) {
      if (listed.has(id) || this.placed.get(id)?.host !== host) continue;
      const s = recordOf(id);
      if (!s || !isLive(s)) continue;
      this.log(`sandbox ${id}: host ${host} no longer has it; it fails`);
      this.placed.delete(id);
      this.emit('end', id, 'failed', this.now(), { failure_reason: `Its host ${host} no longer has it.` });
    }
  }

  private on(host: string): string[] {
    return [...this.placed].flatMap(([id, p]) => (p.host === host ? [id] : []));
  }

  private async remove(host: string, upstream: string): Promise<void> {
    await this.hosts
      .client(host)
      .json('DELETE', `/v1/sessions/${upstream}`, { retry: true })
      .catch((err: Error) => {
        if (err instanceof ApiError && err.code === 'not_found') return; // gone there already
        this.log(`sandbox ${upstream} on ${host}: could not delete it: ${err.message}; it is deleted when the host joins again`);
      });
  }
}

/** The create as the host gets it: the limits this coordinator applied, what is left of the TTL, and whose it is. */
function hostRequest(s: SandboxRecord, now: number) {
  const { memory_mb, cpu, disk_mb, exec_timeout_s } = s.limits;
  return {
    kind: 'sandbox',
    ttl: Math.max(1, Math.ceil((expiresAt(s) - now) / 1000)),
    limits: { memory_mb, cpu, disk_mb, exec_timeout_s },
    metadata: { ...s.metadata, coordinator_session: s.id },
  };
}
