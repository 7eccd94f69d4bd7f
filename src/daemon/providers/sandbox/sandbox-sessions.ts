// What a request on a sandbox goes through: found (410 once expired), counted as activity, woken first (a thaw
// from idle, the runtime started again from deep sleep), and held while it runs so that it neither idles nor sleeps.
import { ApiError } from '../../../transport/protocol/errors.js';
import { LIVE_SANDBOX_STATES } from '../../../transport/protocol/sandbox-api.js';
import type { Duplex } from 'node:stream';
import type { Sandbox } from '../../sandboxes/index.js';
import { iso } from '../../sessions/record.js';
import type { SessionCore } from '../../sessions/session-core.js';
import { concurrencyError } from './sandbox-kind.js';
import type { JoinedSandboxes } from './joined-sandboxes.js';
import type { SandboxProvider } from './sandbox-provider.js';
import { expiresAt, type SandboxRecord } from './sandbox-record.js';

/** Activity moves the record at most this often (a write each time), and never by less than 1/20 of the idle window. */
const TOUCH_MS = 1000;

export class SandboxSessions {
  constructor(
    private readonly core: SessionCore,
    private readonly provider: SandboxProvider,
  ) {}

  /** The caller's sandbox by id: 404 for none (or another kind), 410 once it has expired. */
  find(account: string, id: string): SandboxRecord {
    const s = this.core.find(account, id, 'sandbox') as SandboxRecord;
    if (s.state === 'expired') throw expiredError(s);
    return s;
  }

  /** A sandbox that is not over: ended and failed ones are refused with what happened. */
  live(account: string, id: string): SandboxRecord {
    const s = this.find(account, id);
    if (!this.core.isLive(s)) throw overError(s);
    return s;
  }

  /** The name of the account's sandbox plan, for messages. */
  planOf(account: string): string {
    return this.core.accounts.limits(account).sandbox.name;
  }

  /** Counts as activity now (written at most once a second or so: idle and deep sleep count from it). */
  touch(s: SandboxRecord): void {
    const now = this.core.now();
    if (!this.core.isLive(s) || now - s.last_activity_at < Math.min(TOUCH_MS, s.idle_after_s * 50)) return;
    void this.core.apply(s, { last_activity_at: now });
  }

  /** Bytes through its web URL: activity, and a frozen sandbox thaws for them (the relay's connection waits on it). */
  traffic(s: SandboxRecord): void {
    this.touch(s);
    if (s.state === 'idle') void (s.joined_host ? this.awake(s) : this.running(s)).catch(() => undefined);
  }

  /** Activity, then the sandbox running: woken from idle or deep sleep first; resolves with its host sandbox. */
  async use(account: string, id: string): Promise<{ s: SandboxRecord; box: Sandbox }> {
    const s = this.live(account, id);
    this.touch(s);
    return { s, box: await this.running(s) };
  }

  /** Runs `fn` with the sandbox held (an exec, a stream): no idle or deep sleep until it is done. */
  hold<T>(account: string, id: string, fn: (box: Sandbox, s: SandboxRecord) => Promise<T>): Promise<T> {
    return this.held(account, id, async (s) => fn(await this.running(s), s));
  }

  /** Runs `fn` with the sandbox held, however it runs it (on a joined host, the host is asked). */
  async held<T>(account: string, id: string, fn: (s: SandboxRecord) => Promise<T>): Promise<T> {
    const s = this.live(account, id);
    void this.core.apply(s, { busy: s.busy + 1, last_activity_at: this.core.now() });
    try {
      return await fn(s);
    } finally {
      if (this.core.isLive(s)) void this.core.apply(s, { busy: Math.max(0, s.busy - 1), last_activity_at: this.core.now() });
    }
  }

  /** A connection to `port` inside the sandbox (its web app), woken first: through its host's tunnel if it runs on one. */
  async connect(s: SandboxRecord, port: number): Promise<Duplex> {
    if (!s.joined_host) return (await this.running(s)).connect(port);
    await this.awake(s);
    return this.provider.joined!.connect(s, port);
  }

  /** Wakes it as needed and resolves once its runtime is up. */
  async running(s: SandboxRecord): Promise<Sandbox> {
    for (;;) {
      await this.awake(s);
      const box = await this.provider.box(s.id);
      if (s.state !== 'active') continue;
      if (!box) throw new ApiError('internal_error', `bug: sandbox ${s.id} is active but its host has no sandbox for it.`);
      return box;
    }
  }

  /** Wakes it as needed: resolves once it is active, or moving there from idle (a thaw, which the next step waits on). */
  async awake(s: SandboxRecord): Promise<void> {
    for (;;) {
      if (!this.core.isLive(s)) throw s.state === 'expired' ? expiredError(s) : overError(s);
      if (s.state === 'creating' || s.state === 'waking') {
        const from = s.state;
        await this.core.until(s, (x) => x.state !== from);
        continue;
      }
      if (s.state === 'deep_sleep') {
        this.checkRoom(s);
        await this.core.move(s, 'waking');
        continue;
      }
      if (s.state === 'idle') void this.core.move(s, 'active');
      return;
    }
  }

  /** Whether a joined host of this coordinator has room for one more sandbox now. */
  get hostRoom(): boolean {
    return this.provider.joined?.room ?? false;
  }

  /** Where it runs when not here: its joined host, and its id there. */
  joinedOf(s: SandboxRecord): { host: string; id: string; joined: JoinedSandboxes } | null {
    const joined = this.provider.joined;
    return s.joined_host && s.upstream_id && joined ? { host: s.joined_host, id: s.upstream_id, joined } : null;
  }

  /** Waking from deep sleep makes it live again: within the plan's live sandboxes, like a create. */
  private checkRoom(s: SandboxRecord): void {
    const plan = this.core.accounts.limits(s.account).sandbox;
    const live = this.core.list(s.account, { kind: 'sandbox' }).filter((x) => (LIVE_SANDBOX_STATES as readonly string[]).includes(x.state)) as SandboxRecord[];
    if (live.length >= plan.max_live) throw concurrencyError(s.account, plan, live, this.core.now());
  }
}

export function expiredError(s: SandboxRecord): ApiError {
  return new ApiError(
    'session_expired',
    `Sandbox ${s.id} expired at ${iso(s.ended_at ?? expiresAt(s))} (its TTL of ${s.ttl_s} s ran out); its processes, files and metadata were deleted. Create a new one with \`fbay sandbox create\`.`,
    { session_id: s.id, expired_at: iso(s.ended_at ?? expiresAt(s)) },
  );
}

function overError(s: SandboxRecord): ApiError {
  const why = s.state === 'failed' ? `failed (${s.failure_reason ?? 'no reason given'})` : `ended (${s.end_reason ?? 'unknown reason'})`;
  return new ApiError('session_conflict', `Sandbox ${s.id} ${why} at ${iso(s.ended_at)}; its files are gone. Create a new one with \`fbay sandbox create\`.`, {
    session_id: s.id,
    state: s.state,
  });
}
