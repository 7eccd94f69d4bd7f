// Browser slots on the hosts joined to this coordinator (`fbay daemon start --join` on a machine with Chromium): each
// is a resource the core claims like a slot of its own, so the account's plan, queue and meter are the coordinator's;
// the browser runs on the host, created there over the tunnel and reached through a CDP link held across drops.
import type { BrowserList, BrowserSession, CreateBrowserRequest } from '../../../transport/protocol/browser-api.js';
import type { RemoteClient } from '../../remote/remote-client.js';
import { RemoteBrowsers } from '../remote/remote-browsers.js';
import { StartFailure, type ProviderEvents } from '../../sessions/provider.js';
import type { BrowserRecord } from './browser-record.js';

/** The hosts that offer browsers now, and a client that reaches a host's API through its tunnel. */
export interface BrowserHosts {
  offers(): ReadonlyArray<{ host: string; browsers: number }>;
  client(host: string): RemoteClient;
  /** How long a host may be away before its sessions end (`host_grace_s`). */
  graceMs(): number;
}

type Emit = <K extends keyof ProviderEvents>(event: K, ...args: ProviderEvents[K]) => void;

/** The host answers once its browser is up (a cold Chromium can take seconds): under the CLI's 30 s. */
const CREATE_BUDGET_MS = 25_000;
const SLOT = /(?:^|\/)joined\/([^/]+)\/browser-slot-\d+$/;

/** A joined host's slot as a resource name (`joined/NAME/browser-slot-N`). */
export const joinedSlot = (host: string, n: number) => `joined/${host}/browser-slot-${n}`;

/** The joined host of a resource (qualified with a coordinator's name or not); null for a slot of this daemon's own. */
export function joinedHostOf(resource: string | null | undefined): string | null {
  return resource ? (SLOT.exec(resource)?.[1] ?? null) : null;
}

export class JoinedBrowsers {
  readonly mirrors: RemoteBrowsers;
  /** Sessions whose create on their host is under way, and whether they were ended meanwhile. */
  private readonly creating = new Map<string, { stopped: boolean }>();

  constructor(
    private readonly hosts: BrowserHosts,
    emit: Emit,
    now: () => number,
    private readonly log: (message: string) => void,
  ) {
    this.mirrors = new RemoteBrowsers(emit, now, log, { reason: 'host_lost', windowMs: () => hosts.graceMs() });
  }

  /** Every joined host's slots, taken in turn (the first of each host, then the second…): the first free one spreads the load. */
  slots(): string[] {
    const offers = this.hosts.offers();
    const most = Math.max(0, ...offers.map((o) => o.browsers));
    const out: string[] = [];
    for (let n = 1; n <= most; n++) for (const o of offers) if (n <= o.browsers) out.push(joinedSlot(o.host, n));
    return out;
  }

  /** Creates the browser on its host (the session's id is the Idempotency-Key there), then follows it until usable. */
  async start(s: BrowserRecord, host: string): Promise<Partial<BrowserRecord>> {
    const client = this.hosts.client(host);
    const creating = { stopped: false };
    this.creating.set(s.id, creating);
    let body: BrowserSession;
    try {
      ({ body } = await client.json<BrowserSession>('POST', '/v1/browsers', {
        body: hostRequest(s),
        headers: { 'idempotency-key': s.id },
        retry: true,
        timeoutMs: CREATE_BUDGET_MS,
      }));
    } finally {
      this.creating.delete(s.id);
    }
    // Ended while its host made it: the host's is ended too, not left running until its cap.
    if (creating.stopped) {
      await client.json('DELETE', `/v1/browsers?id=${body.id}`, { retry: true }).catch((err: Error) => this.log(`browser ${body.id} on ${host}: ${err.message}`));
      throw new StartFailure('user_ended', 'it was ended while its host created it');
    }
    s.upstream = body as unknown as Record<string, unknown>;
    return { upstream: s.upstream, ...(await this.mirrors.start(client, s, body.id)) };
  }

  /**
   * A host (re)joined: its browsers for this coordinator whose sessions here are over — ended while it was away, or
   * with this coordinator's restart — are ended there, so that they do not hold its slots until their cap.
   */
  async reconcile(host: string, isLive: (id: string) => boolean): Promise<void> {
    if (!this.hosts.offers().some((o) => o.host === host)) return;
    const client = this.hosts.client(host);
    const { body } = await client.json<BrowserList>('GET', '/v1/browsers', { retry: true });
    for (const b of body.browsers) {
      const mine = b.metadata?.coordinator_session;
      if (typeof mine !== 'string' || isLive(mine)) continue;
      this.log(`browser ${mine} is over here; ending its browser ${b.id} on joined host ${host}`);
      await client.json('DELETE', `/v1/browsers?id=${b.id}`, { retry: true }).catch((err: Error) => this.log(`browser ${b.id} on ${host}: ${err.message}`));
    }
  }

  /** The session ended before its host had answered its create: true when it was being created (it is ended there). */
  stopCreating(id: string): boolean {
    const creating = this.creating.get(id);
    if (creating) creating.stopped = true;
    return creating !== undefined;
  }

  /** Where an ended session's artifacts are: its host's client and its id there. */
  artifactSource(s: BrowserRecord): { client: RemoteClient; id: string } | null {
    const host = joinedHostOf(s.resource);
    const id = (s.upstream as { id?: unknown } | null | undefined)?.id;
    return host && typeof id === 'string' ? { client: this.hosts.client(host), id } : null;
  }
}

/** The create as the host gets it: what the session asked for, less the profile (profiles live on the coordinator). */
function hostRequest(s: BrowserRecord): CreateBrowserRequest {
  return {
    maxDurationMs: s.max_duration_ms,
    recording: s.recording,
    record: s.record,
    ...(s.proxy ? { proxy: s.proxy } : {}),
    ...(s.fingerprint ? { fingerprint: s.fingerprint } : {}),
    metadata: { ...s.metadata, coordinator_session: s.id },
  } as CreateBrowserRequest;
}
