// The sandbox provider: probes the host once, then creates, finds, restores and closes sandboxes. It keeps no
// timers and no copy of the core's bookkeeping; the core calls it when a deadline fires or a request comes.
import { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApiError } from '../../transport/protocol/errors.js';
import { discoverHierarchies } from './cgroup-hierarchies.js';
import { removeTree } from './cgroup-files.js';
import { probeHost, type HostProbe } from './probe.js';
import { Sandbox } from './sandbox.js';
import { SpareDisk } from './spare-disk.js';
import { agentPath, hostKey, sandboxUid, type SandboxContext } from './sandbox-context.js';
import { DEFAULT_SETTINGS, type AppliedLimits, type HostOptions, type Isolation, type RuntimeLost, type SandboxLimits } from './sandbox-types.js';

export const DEFAULT_LIMITS: SandboxLimits = { memory_mb: 1024, cpu: 0.25, disk_mb: 1024, pids: 256, exec_timeout_s: 30, max_file_bytes: 10 * 1000 * 1000 };
const ID = /^[A-Za-z0-9_-]{1,64}$/;

interface HostEvents {
  /** A runtime ended without being asked to (its agent was killed, say); it starts again with the next request. */
  runtime_lost: [RuntimeLost];
}

export class SandboxHost extends EventEmitter<HostEvents> {
  readonly #boxes = new Map<string, Sandbox>();
  readonly #ctx: SandboxContext;

  private constructor(ctx: Omit<SandboxContext, 'lost'>) {
    super();
    this.#ctx = { ...ctx, lost: (e) => this.emit('runtime_lost', e) };
  }

  static async open(options: HostOptions): Promise<SandboxHost> {
    const settings = { ...DEFAULT_SETTINGS, ...options.settings };
    const stateDir = resolve(options.stateDir);
    const probe = await probeHost(settings);
    const level = probe.isolation.level;
    if (level === 'process') options.log(`sandboxes: namespaces unavailable (${probe.isolation.reason})${settings.isolation === 'process' ? '; running them at the process level, as sandbox.isolation allows' : ''}`);
    mkdirSync(join(stateDir, 'sandboxes'), { recursive: true, mode: 0o700 });
    const spare = probe.diskQuota ? new SpareDisk(join(stateDir, 'sandboxes'), options.log) : null;
    await spare?.leftover();
    if (level === 'process' && settings.isolation === 'process' && probe.asRoot) {
      // Without a mount namespace the sandbox's user reaches /workspace by its host path, so it must be able to
      // pass through the state dir (o+x only: names inside cannot be listed, and state files are 0600).
      for (const dir of [stateDir, join(stateDir, 'sandboxes')]) chmodSync(dir, statSync(dir).mode | 0o001);
      probe.isolation.missing.push(`process: the sandbox's user can pass through ${stateDir} (o+x) to reach its workspace`);
    }
    return new SandboxHost({
      stateDir,
      clock: options.clock,
      log: options.log,
      settings,
      probe,
      level,
      agentPath: agentPath(),
      hidden: [stateDir, ...(options.hidden ?? [])],
      hostKey: hostKey(stateDir),
      spare,
    });
  }

  isolation(): Isolation {
    const i = this.#ctx.probe.isolation;
    return { ...i, mechanisms: [...i.mechanisms], missing: [...i.missing] };
  }

  get probe(): HostProbe {
    return this.#ctx.probe;
  }

  get(id: string): Sandbox | undefined {
    return this.#boxes.get(id);
  }

  /** Makes the sandbox's files and starts its runtime; 503 isolation_unavailable when namespaces cannot be had. */
  async create(id: string, limits: Partial<SandboxLimits> = {}): Promise<Sandbox> {
    if (!ID.test(id)) throw new Error(`sandbox id ${JSON.stringify(id)} is not a session id`);
    if (this.#boxes.has(id)) throw new Error(`sandbox ${id} exists already`);
    const box = this.#box(id, limits);
    if (existsSync(box.dir)) throw new Error(`sandbox ${id} has files already (${box.dir})`);
    mkdirSync(box.dir, { recursive: true, mode: 0o711 });
    this.#boxes.set(id, box);
    try {
      await box.create(box.limits.disk_mb);
      // The next create of this size finds its disk made.
      this.#ctx.spare?.fill(box.limits.disk_mb);
      return box;
    } catch (err) {
      this.#boxes.delete(id);
      await box.destroy().catch(() => undefined);
      throw err;
    }
  }

  /**
   * After a daemon restart: every listed sandbox whose files are still there comes back in deep sleep (whatever
   * the last daemon left running is ended first); `missing` have no files; `orphans` are files nobody listed.
   */
  async restoreAll(entries: { id: string; limits: Partial<SandboxLimits> }[]): Promise<{ restored: Sandbox[]; missing: string[]; orphans: string[] }> {
    const restored: Sandbox[] = [];
    const missing: string[] = [];
    const listed = new Set(entries.map((e) => e.id));
    for (const { id, limits } of entries) {
      const box = this.#boxes.get(id) ?? this.#box(id, limits);
      if (!existsSync(box.dir)) {
        missing.push(id);
        continue;
      }
      await box.sleep();
      this.#boxes.set(id, box);
      restored.push(box);
    }
    const root = join(this.#ctx.stateDir, 'sandboxes');
    const orphans = readdirSync(root).filter((name) => !listed.has(name) && ID.test(name));
    return { restored, missing, orphans };
  }

  /** Deletes a sandbox's files that no session owns (an orphan from `restoreAll`). */
  async purge(id: string): Promise<void> {
    if (!ID.test(id)) return;
    const box = this.#boxes.get(id) ?? this.#box(id, {});
    await box.destroy();
    this.#boxes.delete(id);
  }

  async destroy(id: string): Promise<void> {
    const box = this.#boxes.get(id);
    if (!box) return;
    await box.destroy();
    this.#boxes.delete(id);
  }

  /** The daemon stops: every sandbox to deep sleep (processes end, files stay), and this host's empty groups go. */
  async close(): Promise<void> {
    await Promise.all([...this.#boxes.values()].map((b) => b.sleep()));
    this.#boxes.clear();
    await this.#ctx.spare?.close();
    for (const h of discoverHierarchies()) removeTree(join(h.base, 'fbay', this.#ctx.hostKey));
  }

  #box(id: string, asked: Partial<SandboxLimits>): Sandbox {
    if (this.#ctx.level === 'process' && this.#ctx.settings.isolation !== 'process') {
      throw new ApiError('isolation_unavailable', `Sandboxes need Linux namespaces, which this host refuses: ${this.#ctx.probe.isolation.reason}.`, {
        next: 'Fix that (install bubblewrap, allow user namespaces), or accept weaker isolation with `fbay config set sandbox.isolation process`.',
      });
    }
    const limits = { ...DEFAULT_LIMITS, ...asked };
    for (const [name, value] of Object.entries(limits)) {
      if (typeof value !== 'number' || !(value > 0)) throw new ApiError('invalid_request', `limits.${name} must be a number above 0; got ${JSON.stringify(value)}.`);
    }
    const probe = this.#ctx.probe;
    const enforced: AppliedLimits['enforced'] = {
      memory_mb: null,
      cpu: null,
      pids: null,
      disk_mb: probe.diskQuota ? 'ext4 image of this size, loop-mounted' : null,
    };
    const owner = probe.asRoot ? { uid: sandboxUid(this.#ctx.hostKey, id), gid: sandboxUid(this.#ctx.hostKey, id) } : null;
    const isolation = this.isolation();
    if (owner && this.#ctx.level === 'namespaces') isolation.mechanisms.push(`sandbox user 1000 is host uid ${owner.uid}`);
    return new Sandbox(id, { ...limits, enforced }, isolation, owner, this.#ctx);
  }
}
