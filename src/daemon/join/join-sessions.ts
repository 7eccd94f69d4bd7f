// A board host's side of its coordinator's sessions: each is a session of this host's own core (account
// `@coordinator`, unmetered: the coordinator charges), so the board is held here too, and the tunnel channel is one
// more serial client of its relay — its ring and transcript are what a reconnect resumes from.
import { ApiError } from '../../transport/protocol/errors.js';
import type { CoordinatorRequest, Reply } from '../../transport/tunnel/messages.js';
import { dispatchControl } from '../../transport/serial/control-handlers.js';
import type { SessionPorts } from '../serial/session-ports.js';
import type { SessionCore } from '../sessions/session-core.js';
import type { CoreRecord } from '../sessions/record.js';
import { ChannelSocket, type TunnelSender } from './channel-socket.js';

/** The account (and tier) a coordinator's sessions have on its host: no API key can be named so. */
export const JOIN_ACCOUNT = '@coordinator';

/** A reply as this host makes it: the message without its op and id. */
export type ReplyBody = Reply extends infer R ? (R extends { op: 'reply'; id: number } ? Omit<R, 'op' | 'id'> : never) : never;

interface Channel {
  socket: ChannelSocket;
  session: CoreRecord;
}

export class JoinSessions {
  private readonly channels = new Map<number, Channel>();
  /** Input bytes had from the coordinator, per host session: what a resend after a drop starts from. */
  private readonly received = new Map<string, number>();

  constructor(
    private readonly core: SessionCore,
    private readonly ports: SessionPorts,
    private readonly log: (message: string) => void,
  ) {}

  /** The coordinator's sessions this host holds, by the coordinator's id. */
  held(): string[] {
    return this.core.list(JOIN_ACCOUNT, { kind: 'board' }).flatMap((s) => (s.idempotency_key ? [s.idempotency_key] : []));
  }

  /** This host's session for a coordinator session (its id is the Idempotency-Key it was created with). */
  find(coordinatorSession: string, all = false): CoreRecord | undefined {
    return this.core.list(JOIN_ACCOUNT, { kind: 'board', all }).find((s) => s.idempotency_key === coordinatorSession);
  }

  /** Opens (or reopens) a channel: the session is created here the first time; `attach` runs after the reply. */
  async open(op: Extract<CoordinatorRequest, { op: 'open' }>, tunnel: TunnelSender): Promise<{ reply: ReplyBody; attach?: () => void }> {
    const earlier = this.find(op.session, true);
    if (earlier && !this.core.isLive(earlier)) {
      return { reply: { ok: false, code: 'not_found', error: `session ${op.session} ended on this host (${earlier.end_reason})`, ended: earlier.end_reason ?? 'host_lost' } };
    }
    let s = earlier;
    if (!s) {
      try {
        await this.endEarlierHolder(op.board, op.session);
        s = await this.core.create(JOIN_ACCOUNT, 'board', { board_id: op.board, idle_timeout_s: op.keep_s, metadata: { coordinator_session: op.session } }, { idempotencyKey: op.session });
      } catch (err) {
        const code = err instanceof ApiError ? err.code : 'internal_error';
        return { reply: { ok: false, code, error: (err as Error).message } };
      }
      if (!this.core.isLive(s)) return { reply: { ok: false, code: 'no_board_available', error: `board ${op.board} did not open (${s.end_reason})`, ended: s.end_reason ?? 'allocation_failed' } };
    }
    for (const [id, c] of this.channels) if (c.session.id === s.id) this.drop(id);
    const session = s;
    const start = Math.min(op.since, this.ports.offsetOf(session.id) ?? op.since);
    const socket = new ChannelSocket(tunnel, op.channel, start);
    socket.once('close', () => this.channels.get(op.channel)?.socket === socket && this.channels.delete(op.channel));
    this.channels.set(op.channel, { socket, session });
    return {
      reply: { ok: true, offset: start, input: this.received.get(session.id) ?? null },
      attach: () => {
        if (!this.ports.attach(session.id, socket, op.since)) socket.close(1011, 'the session has no open port');
      },
    };
  }

  /**
   * The coordinator gave the board to a new session, so an earlier session of its that still holds it here is over
   * there (its release, or the word of another coordinator that ended it, has not reached this host yet): it ends.
   */
  private async endEarlierHolder(board: string, coordinatorSession: string): Promise<void> {
    const holder = this.core.holders().get(board);
    if (holder?.account !== JOIN_ACCOUNT || holder.idempotency_key === coordinatorSession) return;
    this.log(`board ${board}: the coordinator gave it to session ${coordinatorSession}; its earlier session ${holder.idempotency_key} ends here`);
    await this.core.end(JOIN_ACCOUNT, holder.id);
  }

  /** Input for a channel from `offset` on: what was had already (resent after a drop) is skipped. */
  input(channel: number, offset: number, bytes: Buffer): void {
    const c = this.channels.get(channel);
    if (!c) return;
    const had = this.received.get(c.session.id) ?? offset;
    const end = offset + bytes.length;
    if (end <= had) return;
    if (offset > had) this.log(`session ${c.session.id}: ${offset - had} bytes of input from the coordinator never arrived`);
    this.received.set(c.session.id, end);
    c.socket.input(offset < had ? bytes.subarray(had - offset) : bytes);
  }

  async release(coordinatorSession: string): Promise<ReplyBody> {
    const s = this.find(coordinatorSession);
    if (s) await this.core.end(JOIN_ACCOUNT, s.id);
    return { ok: true };
  }

  async control(op: Extract<CoordinatorRequest, { op: 'control' }>): Promise<ReplyBody> {
    const s = this.find(op.session);
    const port = s && this.ports.portOf(s.id);
    if (!port) return { ok: false, code: 'not_found', error: `session ${op.session} has no open board on this host` };
    try {
      await dispatchControl(port.control, op.message);
      return { ok: true };
    } catch (err) {
      return { ok: false, code: err instanceof ApiError ? err.code : 'internal_error', error: (err as Error).message };
    }
  }

  /** The coordinator's id for one of its sessions here; null for a session of this host's own. */
  coordinatorId(hostSession: string): string | null {
    const s = this.core.get(hostSession);
    return s?.account === JOIN_ACCOUNT ? (s.idempotency_key ?? null) : null;
  }

  /** A host session ended: the coordinator's id for it, and its input count forgotten. */
  ended(hostSession: string): string | null {
    this.received.delete(hostSession);
    return this.core.get(hostSession)?.idempotency_key ?? null;
  }

  /** The tunnel dropped: every channel leaves its relay (the sessions stay; the idle window here starts). */
  closeAll(): void {
    for (const id of [...this.channels.keys()]) this.drop(id);
  }

  get count(): number {
    return this.core.list(JOIN_ACCOUNT, { kind: 'board' }).length;
  }

  private drop(channel: number): void {
    this.channels.get(channel)?.socket.close(1001, 'tunnel closed');
    this.channels.delete(channel);
  }
}
