// Sessions of a remote fbay host held here: adopting one the host created, and what the host says about it after.
import type { EndReason, Session, WarningKind } from '../../transport/protocol/api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import type { JournalRecord } from '../store/journal.js';
import type { PortOpener } from './board-allocator.js';
import { isLive } from './lifecycle.js';
import type { SessionRecord } from './session-record.js';
import type { EngineSettings } from './session-engine.js';

/** The engine's parts a mirror needs; the engine builds this view of itself. */
export interface EngineCore {
  sessions: Map<string, SessionRecord>;
  now(): number;
  settings(): EngineSettings;
  ports: PortOpener;
  remember(account: string, key: string, hash: string, sessionId: string): void;
  changed(s: SessionRecord): void;
  persist(records: JournalRecord[]): void;
  meter(s: SessionRecord): void;
  warn(s: SessionRecord, kind: WarningKind, endsAt: number): void;
  finish(s: SessionRecord, reason: EndReason, at: number): void;
  arm(s: SessionRecord): void;
  view(s: SessionRecord): Session;
}

export class MirrorSessions {
  constructor(private readonly core: EngineCore) {}

  hostOf(id: string): string | null {
    return this.core.sessions.get(id)?.host ?? null;
  }

  /**
   * Mirrors a session a remote host has just created and opens the line to it; a retried create (same key) returns
   * the same mirror. Ends it with allocation_failed, and throws, if the line does not open.
   */
  async adopt(account: string, host: string, upstream: Session, idleTimeoutS: number | null, key: string, hash: string): Promise<Session> {
    const existing = this.core.sessions.get(upstream.id);
    if (existing) return this.core.view(existing);
    const s: SessionRecord = {
      id: upstream.id,
      account,
      board_type: upstream.board_type,
      wants_board_id: null,
      board_id: upstream.board_id,
      state: 'allocating',
      created_at: this.core.now(),
      started_at: upstream.started_at ? Date.parse(upstream.started_at) : null,
      ended_at: null,
      end_reason: null,
      idle_timeout_s: idleTimeoutS ?? this.core.settings().idle_timeout_s,
      idle_since: null,
      wait_until: null,
      max_session_s: null,
      max_credits: upstream.max_credits,
      rate_credits_per_min: upstream.rate_credits_per_min,
      metadata: upstream.metadata,
      host,
      upstream_credits: upstream.credits_used,
      link: null,
      idempotency_key: key,
      request_hash: hash,
    };
    this.core.sessions.set(s.id, s);
    this.core.remember(account, key, hash, s.id);
    this.core.changed(s);
    const failure = await this.reopen(s);
    if (failure !== null) {
      throw new ApiError('upstream_unavailable', `Could not open the serial line to ${s.id} on '${host}': ${failure}. The session was ended there.`, {
        session_id: s.id,
      });
    }
    return this.core.view(s);
  }

  /** Opens (or after a restart, reopens) a mirror's line; resolves with why it failed, or null. */
  reopen(s: SessionRecord): Promise<string | null> {
    return this.core.ports.open(s.id, s.board_id ?? s.id).then(
      () => {
        if (s.state === 'ended') this.core.ports.close(s.id);
        else if (s.state === 'allocating') {
          const now = this.core.now();
          s.state = 'idle';
          s.started_at ??= now;
          s.idle_since = now;
          this.core.arm(s);
          this.core.changed(s);
          this.core.meter(s);
        }
        return null;
      },
      (err: unknown) => {
        this.core.finish(s, s.state === 'allocating' ? 'allocation_failed' : 'upstream_lost', this.core.now());
        return err instanceof Error ? err.message : String(err);
      },
    );
  }

  /** What the host said about the session (its state, its meter). */
  update(id: string, upstream: Pick<Session, 'credits_used'>): void {
    const s = this.core.sessions.get(id);
    if (!s?.host || !isLive(s.state) || s.upstream_credits === upstream.credits_used) return;
    s.upstream_credits = upstream.credits_used;
    this.core.persist([{ t: 'session', s }]);
    this.core.meter(s);
  }

  /** The line to the host dropped (reconnecting until `deadline`) or came back. */
  link(id: string, link: SessionRecord['link']): void {
    const s = this.core.sessions.get(id);
    if (!s?.host || !isLive(s.state)) return;
    s.link = link;
    this.core.changed(s);
  }

  warning(id: string, kind: WarningKind, endsAt: number): void {
    const s = this.core.sessions.get(id);
    if (s?.host) this.core.warn(s, kind, endsAt);
  }

  /** The host ended the session (or the line to it was lost for good): the mirror ends with the same reason. */
  ended(id: string, reason: EndReason, at: number, credits: number | null): void {
    const s = this.core.sessions.get(id);
    if (!s?.host || !isLive(s.state)) return;
    if (credits !== null) s.upstream_credits = credits;
    this.core.finish(s, reason, at);
  }
}
