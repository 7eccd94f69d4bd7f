// The session core: one engine for every kind — create (idempotent, limited, queued), find, end, restore, shut down.
// A kind brings its transition table and view (SessionKind) and a provider; everything else is here, once.
import { ApiError } from '../../transport/protocol/errors.js';
import type { TimerHandle } from '../../shared/clock.js';
import { LOCAL_ACCOUNT, type CoreDeps } from './core-base.js';
import { CoreCreate } from './core-create.js';
import type { SessionKind } from './kind.js';
import type { Provider } from './provider.js';
import type { CoreRecord } from './record.js';
import { restoreCore } from './restore.js';

export { LOCAL_ACCOUNT };
export type { CreateOptions } from './core-create.js';
/** How long a stopping daemon waits for sessions to end (browsers collecting artifacts). */
const SHUTDOWN_MS = 10_000;
/** How many times an end is made again onto another coordinator's newer write before the caller is asked to retry. */
const END_TRIES = 5;

export class SessionCore extends CoreCreate {
  constructor(deps: CoreDeps) {
    super(deps);
    for (const provider of new Set([...Object.values(deps.providers), ...(deps.remote ? [deps.remote] : [])])) this.listen(provider);
    this.follow();
  }

  private listen(provider: Provider): void {
    provider.on('update', (id, patch, to) => {
      const s = this.sessions.get(id);
      if (!s || !this.isLive(s) || this.stopped) return;
      if (to !== undefined && to !== s.state) void this.move(s, to, patch);
      else {
        Object.assign(s, patch);
        void this.changed(s);
      }
    });
    provider.on('end', (id, reason, at, patch) => {
      const s = this.sessions.get(id);
      if (s) void this.finish(s, reason, at ?? this.now(), patch ?? {});
    });
    provider.on('warn', (id, kind, endsAt) => {
      const s = this.sessions.get(id);
      if (s) this.warn(s, kind, endsAt);
    });
    provider.on('resources', () => void this.drain());
  }

  // ——— reading ———

  /** The session if `account` may see it; 404 otherwise, so ids never leak across accounts. */
  find(account: string, id: string, kind?: string): CoreRecord {
    const s = this.sessions.get(id);
    if (!s || s.account !== account) {
      throw new ApiError('not_found', `No ${kind ?? ''}${kind ? ' ' : ''}session ${id}. List yours with \`fbay ${kind === 'browser' ? 'browser' : 'session'} list --all\`.`);
    }
    if (kind !== undefined && s.kind !== kind) {
      throw new ApiError('not_found', `${id} is a ${s.kind} session, not a ${kind} session: use \`fbay ${s.kind === 'board' ? 'session' : s.kind} show ${id}\`.`, { kind: s.kind });
    }
    return s;
  }

  /**
   * `find`, with a shared store read first: a session made or changed through another coordinator a moment ago is
   * shown as it is stored, not as this coordinator last heard of it.
   */
  async lookup(account: string, id: string, kind?: string): Promise<CoreRecord> {
    if (this.deps.store.read) await this.refresh(id, this.sessions.get(id) !== undefined);
    return this.find(account, id, kind);
  }

  /** Any session by id, whoever owns it: only for checks that decide access themselves (a CDP URL's token). */
  get(id: string): CoreRecord | undefined {
    return this.sessions.get(id);
  }

  /** Every session kept, of one kind or all. */
  all(kind?: string): CoreRecord[] {
    return [...this.sessions.values()].filter((s) => kind === undefined || s.kind === kind);
  }

  list(account: string, options: { kind?: string; all?: boolean } = {}): CoreRecord[] {
    return [...this.sessions.values()].filter(
      (s) => s.account === account && (options.kind === undefined || s.kind === options.kind) && (options.all || this.isLive(s)),
    );
  }

  /** The live session holding each resource. */
  holders(): Map<string, CoreRecord> {
    const out = new Map<string, CoreRecord>();
    for (const s of this.sessions.values()) {
      if (s.resource && !s.host && this.names.owns(s.resource) && this.isLive(s)) out.set(this.names.local(s.resource), s);
    }
    return out;
  }

  /** Every live session of a kind on this host (for capacity counts). */
  liveOfKind(kind: string): CoreRecord[] {
    return [...this.sessions.values()].filter((s) => s.kind === kind && !s.host && this.runsHere(s) && this.isLive(s));
  }

  queued(kind: string): number {
    return this.queue.snapshot().filter((id) => this.sessions.get(id)?.kind === kind).length;
  }

  protected override released(s: CoreRecord): void {
    // Once its end is stored: a shared store frees the resource only then.
    void this.durable(s).then(() => this.drain());
  }

  /** Hands free resources to waiting sessions, first come first served. */
  async drain(): Promise<void> {
    for (const id of this.queue.snapshot()) {
      const s = this.sessions.get(id);
      if (!s || this.stopped) continue;
      if (!this.isLive(s) || s.state !== this.kindOf(s).waiting) {
        this.queue.remove(id);
        continue;
      }
      if (!this.runsHere(s)) continue;
      const candidates = this.providerOf(s).candidates(s).map((r) => this.names.qualify(r));
      const resource = await this.deps.store.assign(s, candidates).catch((err: Error) => (this.deps.log(`store: could not assign ${s.id}: ${err.message}`), null));
      if (resource === null || !this.queue.remove(id)) continue;
      this.begin(s);
    }
  }

  // ——— ending ———

  /**
   * Ends a session (`user_ended`); an ended one is returned unchanged. Resolves once the end is durable. On a shared
   * store another coordinator may have written the session since this one read it: the end is then made again onto
   * what it wrote (its write was void as a whole, charge included).
   */
  async end(account: string, id: string, kind?: string, reason = 'user_ended'): Promise<CoreRecord> {
    const s = this.find(account, id, kind);
    for (let tries = 0; tries < END_TRIES && this.isLive(s) && !this.stopped; tries++) await this.finish(s, reason);
    if (this.isLive(s) && !this.stopped) {
      throw new ApiError('upstream_unavailable', `Session ${id} kept changing on another coordinator while it was being ended; end it again.`);
    }
    return s;
  }

  // ——— restore, compact, shut down ———

  /** Reloads everything from the store; live sessions resume from their timestamps. */
  async restore(): Promise<void> {
    const next = await restoreCore(this, this.deps, this.sessions);
    for (const s of next.waiting) this.queue.add(s.id);
    for (const s of next.running) this.providerOf(s).resume(s);
    for (const s of next.starting) this.begin(s);
    this.scheduler.runDue();
    await this.drain();
  }

  /** Answers the store's writes another thread has committed: the daemon calls it at every request it reads. */
  pollStore(): void {
    this.deps.store.poll?.();
  }

  override async compact(): Promise<void> {
    const keep = this.deps.keepEnded ?? 1000;
    const ended = [...this.sessions.values()].filter((s) => !this.isLive(s));
    for (const s of ended.slice(0, Math.max(0, ended.length - keep))) this.sessions.delete(s.id);
    this.writes = 0;
    await this.deps.store.compact({ sessions: [...this.sessions.values()], accounts: [...this.accounts.all()], usage: this.usage.entries() });
  }

  /** Stops every deadline; unless `keepSessions`, ends every live session (host_shutdown) first. */
  async shutdown(keepSessions: boolean): Promise<void> {
    const ending = [...this.sessions.values()].filter((s) => this.isLive(s) && !this.kindOf(s).outlivesDaemon && (!keepSessions || this.kindOf(s).endsWithDaemon));
    let timer: TimerHandle | undefined;
    await Promise.race([
      Promise.all(ending.map((s) => this.finish(s, 'host_shutdown'))),
      new Promise<void>((resolve) => (timer = this.deps.clock.setTimeout(resolve, SHUTDOWN_MS))),
    ]);
    if (timer) this.deps.clock.clearTimeout(timer);
    this.stopped = true;
    this.scheduler.stop();
    await this.deps.store.close();
  }

  /** A registered kind, for routes that serve it. */
  kind(name: string): SessionKind {
    const kind = this.kinds.get(name);
    if (!kind) throw new Error(`bug: no kind '${name}'`);
    return kind;
  }
}
