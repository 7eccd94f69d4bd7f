// Board sessions mirrored from a remote host: created there, their serial line held here through drops.
import type { CreateSessionRequest, Session } from '../../../transport/protocol/api.js';
import { ApiError } from '../../../transport/protocol/errors.js';
import type { RemoteClient } from '../../remote/remote-client.js';
import { UpstreamLine, upstreamPort } from '../../remote/upstream-line.js';
import type { SessionPorts } from '../../serial/session-ports.js';
import { StartFailure, type Admitted, type ProviderEvents } from '../../sessions/provider.js';
import type { BoardRecord } from '../board/board-record.js';

type Emit = <K extends keyof ProviderEvents>(event: K, ...args: ProviderEvents[K]) => void;

const DEFAULT_IDLE_S = 30;

/** The mirror's fields from the host's view of the session: the host's values, not local guesses. */
export function mirrorFields(upstream: Session): Partial<BoardRecord> {
  return {
    kind: 'board',
    state: 'allocating',
    board_type: upstream.board_type,
    wants_board_id: null,
    board_id: upstream.board_id,
    started_at: upstream.started_at ? Date.parse(upstream.started_at) : null,
    idle_timeout_s: upstream.idle_timeout_s,
    idle_since: null,
    board_lost_at: null,
    wait_until: null,
    max_session_s: null,
    max_credits: upstream.max_credits,
    rate_credits_per_min: upstream.rate_credits_per_min,
    upstream_credits: upstream.credits_used,
    upstream_expires_at: upstream.expires_at ? Date.parse(upstream.expires_at) : null,
    metadata: upstream.metadata,
  };
}

export class RemoteBoards {
  /** Mirrors whose end the host announced: ending them here must not DELETE upstream again. */
  private readonly endedUpstream = new Set<string>();

  constructor(
    private readonly ports: SessionPorts,
    private readonly emit: Emit,
    private readonly now: () => number,
    private readonly log: (message: string) => void,
  ) {}

  /** Creates the session on the host (safe to retry: one Idempotency-Key); the mirror takes its id and values. */
  async admit(client: RemoteClient, req: CreateSessionRequest, key: string): Promise<Admitted<BoardRecord>> {
    const { body: upstream } = await client.json<Session>('POST', '/v1/sessions', { body: req, headers: { 'idempotency-key': key }, retry: true });
    return { id: upstream.id, fields: mirrorFields(upstream), resources: null, queue: false };
  }

  /** Opens (or after a restart, reopens) the mirror's line; rejects with why when it does not open. */
  async open(client: RemoteClient, s: BoardRecord): Promise<Partial<BoardRecord>> {
    try {
      await this.ports.open(s.id, (offset) => this.line(client, s, offset));
    } catch (err) {
      const message = `Could not open the serial line to ${s.id} on '${s.host}': ${(err as Error).message}. The session was ended there.`;
      throw new StartFailure(s.started_at === null ? 'allocation_failed' : 'upstream_lost', message, new ApiError('upstream_unavailable', message, { session_id: s.id }));
    }
    return { started_at: s.started_at ?? this.now() };
  }

  private async line(client: RemoteClient, s: BoardRecord, offset: number) {
    const id = s.id;
    // The host's idle window bounds how long the line may be down; if the host cannot say now, assume the default.
    const upstreamIdle = await client
      .json<Session>('GET', `/v1/sessions/${id}`, { retry: true })
      .then((r) => r.body.idle_timeout_s, () => s.idle_timeout_s ?? DEFAULT_IDLE_S);
    const line = new UpstreamLine(client, id, offset, upstreamIdle, {
      state: (u) => {
        this.emit('update', id, { upstream_credits: u.credits_used, upstream_expires_at: u.expires_at ? Date.parse(u.expires_at) : null });
        this.balance(client, id);
      },
      warning: (kind, endsAt) => this.emit('warn', id, kind, endsAt),
      ended: (reason, at, credits) => {
        this.endedUpstream.add(id);
        this.emit('end', id, reason, at, credits === null ? {} : { upstream_credits: credits });
      },
      link: (state, deadline) => this.emit('update', id, { link: { state, deadline } }),
      lost: (reason, err) => {
        this.log(`session ${id}: the line to ${s.host} is lost (${reason}${err ? `: ${err.message}` : ''})`);
        this.emit('end', id, 'upstream_lost', this.now());
      },
      log: (message) => this.log(`session ${id} on ${s.host}: ${message}`),
    });
    line.on('gap', (lost: number) => this.ports.broadcast(id, { type: 'gap', lost_bytes: lost }));
    await line.ready;
    this.balance(client, id);
    return upstreamPort(line, s.host!, s);
  }

  /** Ended here (idle countdown of local clients, `session end`, upstream_lost): release the board upstream too; the
   * host's final meter is what the mirror keeps. */
  async stop(client: RemoteClient | null, s: BoardRecord): Promise<Partial<BoardRecord>> {
    this.ports.close(s.id);
    if (this.endedUpstream.delete(s.id) || !client) return {};
    return client.json<Session>('DELETE', `/v1/sessions/${s.id}`, { retry: true }).then(
      (r) => ({ upstream_credits: r.body.credits_used }),
      (err: unknown) => (this.log(`could not end ${s.id} on ${s.host}: ${(err as Error).message}`), {}),
    );
  }

  /** The host account's balance, for the meter the mirror's clients see. */
  private balance(client: RemoteClient, id: string): void {
    void client.json<{ balance_credits: number | null }>('GET', '/v1/auth/me').then(
      (r) => this.emit('update', id, { upstream_balance: r.body.balance_credits }),
      () => undefined,
    );
  }
}
