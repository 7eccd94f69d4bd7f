// Sandbox sessions' provider over the SandboxHost: admits a create against the plan, makes the sandbox, freezes it
// when the core says idle, ends its processes in deep sleep, wakes it, deletes it at the end. What one sandbox is
// told is done in order (a wake queued behind a freeze thaws what the freeze stopped), one after another. On a
// coordinator, a sandbox goes to a joined host that offers room first (see joined-sandboxes.ts), else runs here.
import { randomBytes } from 'node:crypto';
import { ApiError } from '../../../transport/protocol/errors.js';
import type { CreateSandboxRequest, SandboxLimitsView } from '../../../transport/protocol/sandbox-api.js';
import type { SandboxConfig } from '../../../shared/config-keys.js';
import { DEFAULT_LIMITS, type Sandbox, type SandboxHost } from '../../sandboxes/index.js';
import { Provider, StartFailure, type Admission, type Admitted } from '../../sessions/provider.js';
import { JoinedSandboxes, type SandboxHosts } from './joined-sandboxes.js';
import { checkLimits, checkTtl } from './sandbox-admission.js';
import type { SandboxRecord } from './sandbox-record.js';

export type SandboxTimers = Pick<SandboxConfig, 'idle_after_s' | 'deep_sleep_after_s' | 'rate_active_per_min' | 'rate_idle_per_min'>;

export interface SandboxProviderDeps {
  /** Opens the host once (probing what isolation it has) with the settings of that moment. */
  open(settings: Pick<SandboxConfig, 'network' | 'isolation'>): Promise<SandboxHost>;
  settings(): Omit<SandboxConfig, 'plans'>;
  now(): number;
  log(message: string): void;
  /** A coordinator's joined hosts that run sandboxes. */
  hosts?: SandboxHosts;
}

export class SandboxProvider extends Provider<SandboxRecord> {
  #host: Promise<SandboxHost> | null = null;
  #opened: SandboxHost | null = null;
  #isolation: 'namespaces' | 'process' = 'namespaces';
  /** Each sandbox's queue of host operations. */
  readonly #ops = new Map<string, Promise<unknown>>();
  /** Live sandboxes the core resumed after a restart; the host brings them back (asleep) before anything else. */
  readonly #resumed: SandboxRecord[] = [];
  #restoring: Promise<void> | null = null;
  readonly joined: JoinedSandboxes | null;

  constructor(private readonly deps: SandboxProviderDeps) {
    super();
    this.joined = deps.hosts ? new JoinedSandboxes(deps.hosts, this.emit.bind(this) as never, deps.now, deps.log) : null;
  }

  /** The host, opened on first use (the daemon opens it as it starts). */
  host(): Promise<SandboxHost> {
    if (this.#host) return this.#host;
    const { network, isolation } = this.deps.settings();
    this.#isolation = isolation;
    this.#host = this.deps.open({ network, isolation }).then((host) => {
      this.#opened = host;
      // The host starts a lost runtime again with the next request (files as they were): the session carries on.
      host.on('runtime_lost', ({ id, reason }) => this.deps.log(`sandbox ${id}: its runtime ended (${reason}); it starts again with the next request`));
      return host;
    });
    return this.#host;
  }

  /** After the core's restore: the resumed sandboxes are back (asleep) and files nobody owns are gone. */
  ready(): Promise<void> {
    this.#restoring ??= this.#restore().catch((err: Error) => this.deps.log(`sandboxes: restoring failed: ${err.message}`));
    return this.#restoring;
  }

  async #restore(): Promise<void> {
    this.joined?.settle();
    const host = await this.host();
    const entries = this.#resumed.map((s) => ({ id: s.id, limits: hostLimits(s.limits) }));
    const { missing, orphans } = await host.restoreAll(entries);
    for (const id of missing) this.emit('end', id, 'failed', this.deps.now(), { failure_reason: 'Its files were gone when the daemon started again.' });
    for (const id of orphans) await host.purge(id).catch((err: Error) => this.deps.log(`sandbox ${id}: could not delete its leftover files: ${err.message}`));
    if (entries.length || orphans.length) this.deps.log(`sandboxes: ${entries.length - missing.length} back in deep sleep, ${missing.length} without files, ${orphans.length} leftover removed`);
  }

  async admit({ request, limits, now }: Admission): Promise<Admitted<SandboxRecord>> {
    const req = request as CreateSandboxRequest;
    const plan = limits.sandbox;
    const ttl = checkTtl(req.ttl, plan);
    const applied = checkLimits(req.limits, plan);
    const host = await this.host();
    // With no joined host's room to go to, it would run here: refused now if it cannot be isolated as required.
    if (!this.joined?.room) this.#checkIsolation(host);
    const t = this.deps.settings();
    // A host's sandbox for its coordinator idles and sleeps when the coordinator says; should it go quiet for good,
    // it still sleeps after this host's own deep-sleep window.
    const own = plan.coordinated ? { idle_after_s: t.deep_sleep_after_s, rate_active_per_min: 0, rate_idle_per_min: 0 } : {};
    return {
      fields: {
        kind: 'sandbox',
        ttl_s: ttl,
        limits: applied,
        isolation: null,
        last_activity_at: now,
        busy: 0,
        idle_after_s: t.idle_after_s,
        deep_sleep_after_s: t.deep_sleep_after_s,
        rate_active_per_min: t.rate_active_per_min,
        rate_idle_per_min: t.rate_idle_per_min,
        state_since: now,
        billed_credits: 0,
        web_secret: randomBytes(24).toString('base64url'),
        failure_reason: null,
        metadata: req.metadata ?? {},
        joined_host: null,
        upstream_id: null,
        ...own,
      },
      resources: null,
      queue: false,
    };
  }

  noResource(): ApiError {
    return new ApiError('internal_error', 'bug: sandboxes claim no resource');
  }

  /** Refuses a sandbox here without the isolation this host is set to require. */
  #checkIsolation(host: SandboxHost): void {
    const isolation = host.isolation();
    if (isolation.level === 'process' && this.#isolation !== 'process') {
      throw new ApiError('isolation_unavailable', `Sandboxes need Linux namespaces, which this host refuses: ${isolation.reason}.`, {
        next: 'Fix that (install bubblewrap, allow user namespaces), or accept weaker isolation with `fbay config set sandbox.isolation process` and `fbay daemon restart`.',
      });
    }
  }

  async start(s: SandboxRecord): Promise<Partial<SandboxRecord>> {
    const tried: string[] = [];
    for (let on = this.joined?.place(s.id); on; on = this.joined!.place(s.id, tried)) {
      try {
        return await this.joined!.start(s, on);
      } catch (err) {
        if (err instanceof StartFailure) throw err;
        tried.push(on);
        this.deps.log(`sandbox ${s.id}: joined host ${on} could not make it (${(err as Error).message}); trying elsewhere`);
      }
    }
    try {
      this.#checkIsolation(await this.host());
    } catch (err) {
      throw new StartFailure('failed', (err as Error).message, err as ApiError, { failure_reason: (err as Error).message });
    }
    try {
      const box = await this.#serial(s.id, async (host) => host.create(s.id, hostLimits(s.limits)));
      return { isolation: box.isolation, limits: { ...s.limits, enforced: { ...box.limits.enforced } } };
    } catch (err) {
      const message = (err as Error).message;
      this.deps.log(`sandbox ${s.id}: could not start: ${message}`);
      const error = err instanceof ApiError ? err : new ApiError('internal_error', `Sandbox ${s.id} could not start: ${message}. See \`fbay daemon logs\`.`);
      throw new StartFailure('failed', message, error, { failure_reason: message });
    }
  }

  override entered(s: SandboxRecord, from: string): void {
    const id = s.id;
    if (s.joined_host) {
      // Idle and deep sleep are told to its host; a thaw from idle is done there by the request that asks for it.
      if (s.state === 'idle' || s.state === 'deep_sleep') void this.joined?.tell(s, s.state).catch((err: Error) => this.deps.log(`sandbox ${id}: ${err.message}; its host is told again when it joins again`));
      else if (s.state === 'waking') void this.joined?.wake(s);
      return;
    }
    if (s.state === 'idle') {
      // A sandbox that would not freeze stays running, and says so in the log.
      void this.#serial(id, (_h, box) => box!.freeze()).catch((err: Error) => {
        this.deps.log(`sandbox ${id}: ${err.message}; it stays active`);
        if (s.state === 'idle') this.emit('update', id, {}, 'active');
      });
    } else if (s.state === 'deep_sleep') {
      void this.#serial(id, (_h, box) => box?.sleep()).catch((err: Error) => this.deps.log(`sandbox ${id}: deep sleep: ${err.message}`));
    } else if (s.state === 'waking' || (s.state === 'active' && from === 'idle')) {
      void this.#serial(id, (_h, box) => this.#wake(id, box)).then(
        () => void (s.state === 'waking' && this.emit('update', id, {}, 'active')),
        (err: Error) => {
          this.deps.log(`sandbox ${id}: did not wake: ${err.message}`);
          // From deep sleep that is the end of it; a thaw that failed leaves its files for the next request's wake.
          if (s.state === 'waking') this.emit('end', id, 'failed', this.deps.now(), { failure_reason: `It did not wake: ${err.message}` });
          else if (s.state === 'active') this.emit('update', id, {}, 'deep_sleep');
        },
      );
    }
  }

  /** Thaws or starts the runtime; a thaw that fails falls back to starting the runtime again (files as they were). */
  async #wake(id: string, box: Sandbox | undefined): Promise<void> {
    if (!box) throw new Error(`the host has no sandbox ${id}`);
    try {
      await box.wake();
    } catch (err) {
      if (box.state !== 'frozen') throw err;
      this.deps.log(`sandbox ${id}: ${(err as Error).message}; starting its runtime again`);
      await box.sleep();
      await box.wake();
    }
  }

  /** Expired, ended or failed: its processes, /workspace and everything else of it are deleted. */
  async stop(s: SandboxRecord): Promise<Partial<SandboxRecord>> {
    if (this.joined && (await this.joined.stop(s))) return {};
    await this.#serial(s.id, (host, box) => (box ? host.destroy(s.id) : host.purge(s.id))).catch((err: Error) => this.deps.log(`sandbox ${s.id}: deleting it failed: ${err.message}`));
    return {};
  }

  override resume(s: SandboxRecord): void {
    if (!s.joined_host) this.#resumed.push(s);
    else if (this.joined) this.joined.resumed(s);
    else this.emit('end', s.id, 'host_lost', this.deps.now());
  }

  /** The running sandbox once everything it was told has been done (null: the host has none by that id). */
  async box(id: string): Promise<Sandbox | null> {
    await this.#ops.get(id)?.catch(() => undefined);
    await this.ready();
    return this.#opened?.get(id) ?? null;
  }

  /** Runs `fn` after whatever this sandbox was told before (and after the restore). */
  #serial<T>(id: string, fn: (host: SandboxHost, box: Sandbox | undefined) => Promise<T> | T): Promise<T> {
    const before = this.#ops.get(id) ?? Promise.resolve();
    const next = before
      .catch(() => undefined)
      .then(() => this.ready())
      .then(() => this.host())
      .then((host) => fn(host, host.get(id)));
    this.#ops.set(id, next);
    const forget = () => this.#ops.get(id) === next && this.#ops.delete(id);
    next.then(forget, forget);
    return next;
  }

  override async close(): Promise<void> {
    if (!this.#host) return;
    await Promise.all([...this.#ops.values()].map((op) => op.catch(() => undefined)));
    await (await this.#host).close();
  }
}

/** The record's applied limits as the host takes them. */
export function hostLimits(l: SandboxLimitsView) {
  return { memory_mb: l.memory_mb, cpu: l.cpu, disk_mb: l.disk_mb, pids: l.pids || DEFAULT_LIMITS.pids, exec_timeout_s: l.exec_timeout_s, max_file_bytes: l.max_file_bytes };
}
