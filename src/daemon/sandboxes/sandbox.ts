// One sandbox: its files on disk, its runtime (started, frozen, ended and restarted), its execs and background
// processes. The session core decides when; this does what it is told and reports what happened.
import { chownSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { ApiError } from '../../transport/protocol/errors.js';
import { buildCommand } from './exec-command.js';
import { runExec } from './exec.js';
import { ProcessRunner } from './process-runner.js';
import { relayConnect } from './relay-connect.js';
import type { Runtime } from './runtime-process.js';
import { SandboxCgroup, type Leaf } from './sandbox-cgroup.js';
import type { SandboxContext } from './sandbox-context.js';
import { Background } from './sandbox-background.js';
import { runView, startRuntime, type RunView } from './sandbox-start.js';
import { WarmSlot } from './warm-bun.js';
import { stopBySignal } from './signal-freeze.js';
import type { AppliedLimits, BackgroundRequest, ExecRequest, ExecResult, Isolation, ProcessInfo, ProcessOutput, SandboxState } from './sandbox-types.js';
import { WorkspaceDisk } from './workspace-disk.js';
import { WorkspaceFiles } from './workspace-files.js';

export class Sandbox {
  state: SandboxState = 'asleep';
  readonly files: WorkspaceFiles;
  readonly dir: string;
  readonly disk: WorkspaceDisk;
  readonly cgroup: SandboxCgroup | null;
  #runtime: Runtime | null = null;
  #runner: ProcessRunner | null = null;
  #runtimeLeaf: Leaf | null = null;
  #runDirFd: number | null = null;
  #serial = 0;
  #running = 0;
  readonly #warm = new WarmSlot(
    () => (this.#runner && this.state === 'running' ? { runner: this.#runner, view: this.#view() } : null),
    () => `exec-${++this.#serial}`,
  );
  /** The clean-up after a runtime that ended on its own; a restart waits for it, or it would kill the new one. */
  #cleanup: Promise<unknown> = Promise.resolve();
  readonly #background: Background;

  constructor(
    readonly id: string,
    readonly limits: AppliedLimits,
    readonly isolation: Isolation,
    readonly owner: { uid: number; gid: number } | null,
    private readonly ctx: SandboxContext,
  ) {
    this.dir = join(ctx.stateDir, 'sandboxes', id);
    this.disk = new WorkspaceDisk(this.dir, owner ?? { uid: process.getuid!(), gid: process.getgid!() }, ctx.probe.diskQuota);
    this.files = new WorkspaceFiles(() => this.#workspace(), owner, () => limits.max_file_bytes);
    this.cgroup = ctx.probe.hierarchies.length > 0 ? new SandboxCgroup(ctx.probe.hierarchies, `fbay/${ctx.hostKey}/${id}`, ctx.clock) : null;
    this.#background = new Background(this.dir, ctx.settings.outputRingBytes, ctx.clock);
  }

  get runDir(): string {
    return join(this.dir, 'run');
  }

  /** Execs under way: the core counts a running exec as activity (it tracks streams and web traffic itself). */
  get busy(): boolean {
    return this.#running > 0;
  }

  /** Starts the runtime and every `on_wake` background process (after a deep sleep or a lost runtime). */
  wake(): Promise<void> {
    if (this.state === 'destroyed') return Promise.reject(new ApiError('session_expired', `Sandbox ${this.id} was deleted.`));
    if (this.state === 'frozen') return this.thaw();
    if (this.#runtime?.alive) return Promise.resolve();
    // Two requests that both find it asleep (or its agent gone) share one start.
    this.#waking ??= this.#start(() => this.disk.mount()).finally(() => (this.#waking = null));
    return this.#waking;
  }

  /** A new sandbox: its disk is made while its runtime's process is made and put in its cgroup. */
  create(diskMb: number): Promise<void> {
    this.#waking ??= this.#start(() => this.disk.create(diskMb, this.ctx.spare)).finally(() => (this.#waking = null));
    return this.#waking;
  }

  #waking: Promise<void> | null = null;

  async #start(prepare: () => Promise<void>): Promise<void> {
    await this.#cleanup;
    const files = prepare().then(() => {
      mkdirSync(this.runDir, { recursive: true, mode: 0o755 });
      if (this.owner) chownSync(this.runDir, this.owner.uid, this.owner.gid);
    });
    if (this.cgroup) {
      Object.assign(this.limits.enforced, this.cgroup.create(this.limits));
      this.#runtimeLeaf = this.cgroup.runtimeLeaf();
    }
    const runtime = await startRuntime(this.ctx, { limits: this.limits, owner: this.owner, leaf: this.#runtimeLeaf, workspace: this.disk.mountPoint, runDir: this.runDir, files }).catch(
      async (err: unknown) => {
        await this.cgroup?.destroy();
        throw err;
      },
    );
    this.#runtime = runtime;
    this.#runner = new ProcessRunner(runtime, this.cgroup, this.#runtimeLeaf);
    // A runtime that ended on its own left its handle: one handle per run dir (an open one keeps its tmpfs busy).
    if (this.#runDirFd !== null) closeSync(this.#runDirFd);
    this.#runDirFd = openSync(this.runDir, 'r');
    this.state = 'running';
    runtime.once('exit', (reason) => this.#ended(runtime, reason));
    await this.#background.restart(this.#context());
    this.#warm.refill();
  }

  async exec(req: ExecRequest): Promise<ExecResult> {
    await this.#ready();
    this.#running++;
    try {
      const written = this.files.writeAll(req.files ?? []);
      const timeout = req.timeout_s ?? this.limits.exec_timeout_s;
      if (typeof timeout !== 'number' || !(timeout > 0) || timeout > 86_400) throw new ApiError('invalid_request', `timeout_s must be a number of seconds above 0; got ${JSON.stringify(req.timeout_s)}.`);
      const n = ++this.#serial;
      const command = buildCommand(req, this.#view().env, this.#view().bun);
      const warm = await this.#warm.take(command);
      return await runExec(this.#runner!, this.ctx.clock, {
        command,
        ...(warm ? { warm } : {}),
        cwd: this.#view().cwd,
        timeoutMs: timeout * 1000,
        outputBytes: this.ctx.settings.execOutputBytes,
        filesWritten: written,
        leafName: `exec-${n}`,
        ...(req.stream ? { stream: req.stream } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
      });
    } finally {
      this.#running--;
      this.#warm.refill();
    }
  }

  async startBackground(req: BackgroundRequest): Promise<ProcessInfo> {
    await this.#ready();
    return this.#background.start(this.#context(), req);
  }

  processes(): ProcessInfo[] {
    return this.#background.list();
  }

  output(pid: number, since = 0): ProcessOutput {
    return this.#background.get(pid).output(since);
  }

  /** Follows a background process's output as it comes; returns the function that stops following. */
  watch(pid: number, onData: (data: Buffer) => void, onExit?: () => void): () => void {
    const p = this.#background.get(pid);
    p.on('output', onData);
    if (onExit) p.on('exit', onExit);
    return () => {
      p.off('output', onData);
      if (onExit) p.off('exit', onExit);
    };
  }

  kill(pid: number): Promise<ProcessInfo> {
    return this.#background.kill(pid);
  }

  /** Idle: every process stops where it is (the cgroup freezer; a racy SIGSTOP where there is none). */
  async freeze(): Promise<void> {
    if (this.state !== 'running' || !this.#runtime?.alive) return;
    const ok = this.cgroup?.freezer() ? await this.cgroup.freeze(true) : stopBySignal(this.#runtime.nsInit, 'SIGSTOP');
    if (!ok) throw new Error(`sandbox ${this.id} did not freeze`);
    // The warm Bun stays, frozen with the rest: it holds well under a megabyte of its own (Bun's pages are the
    // binary's, shared), and the first exec after a thaw needs it most.
    this.state = 'frozen';
  }

  async thaw(): Promise<void> {
    if (this.state !== 'frozen') return;
    const ok = this.cgroup?.freezer() ? await this.cgroup.freeze(false) : stopBySignal(this.#runtime?.nsInit ?? 0, 'SIGCONT');
    if (!ok) throw new Error(`sandbox ${this.id} did not thaw`);
    this.state = 'running';
  }

  /** Deep sleep: every process ends, /workspace stays on disk (unmounted), nothing is held but the record. */
  async sleep(): Promise<void> {
    if (this.state === 'destroyed') return;
    const runtime = this.#runtime;
    this.#runtime = null;
    this.#runner = null;
    await this.#cleanup;
    if (runtime) {
      runtime.kill();
      await this.cgroup?.destroy();
      await runtime.exited;
    } else await this.cgroup?.destroy();
    this.#background.allEnded('SIGKILL');
    if (this.#runDirFd !== null) closeSync(this.#runDirFd);
    this.#runDirFd = null;
    await this.disk.unmount();
    this.state = 'asleep';
  }

  /** Expiry or delete: processes, /workspace and everything else of it are gone. */
  async destroy(): Promise<void> {
    await this.sleep();
    this.state = 'destroyed';
    // Off the event loop: on a busy disk, deleting the image and its directories can take tens of ms.
    await rm(this.dir, { recursive: true, force: true });
  }

  /** A byte stream to 127.0.0.1:PORT inside the sandbox (its web app), for the daemon's web relay. */
  async connect(port: number): Promise<Socket> {
    await this.#ready();
    // Through our own open handle on the run dir: a socket path must fit in 108 bytes, a state dir may not.
    return relayConnect(`/proc/self/fd/${this.#runDirFd}/relay.sock`, port, this.ctx.clock);
  }

  async #ready(): Promise<void> {
    if (this.state === 'frozen') throw new ApiError('session_conflict', `Sandbox ${this.id} is frozen; thaw it before using it.`);
    if (this.state === 'asleep') throw new ApiError('session_conflict', `Sandbox ${this.id} is in deep sleep; wake it before using it.`);
    if (this.state === 'destroyed') throw new ApiError('session_expired', `Sandbox ${this.id} was deleted.`);
    // Running, but its runtime ended on its own (its agent was killed): start it again, files as they were.
    if (!this.#runtime?.alive) await this.wake();
  }

  #ended(runtime: Runtime, reason: string): void {
    if (this.#runtime !== runtime) return; // a sleep or destroy we asked for
    this.#runtime = null;
    this.#runner = null;
    this.#background.allEnded('SIGKILL');
    this.#cleanup = this.cgroup?.destroy() ?? Promise.resolve();
    this.ctx.log(`sandbox ${this.id}: ${reason}; it starts again with the next request`);
    this.ctx.lost({ id: this.id, reason });
  }

  #context() {
    return { runner: this.#runner!, ...this.#view(), serial: () => ++this.#serial };
  }

  #view(): RunView {
    return runView(this.ctx, this.disk.mountPoint, this.runDir);
  }

  /** Files are reached only while the disk is mounted: before that the mount point is an empty directory. */
  #workspace(): string {
    if (this.state === 'destroyed') throw new ApiError('session_expired', `Sandbox ${this.id} was deleted.`);
    if (!this.disk.mounted) throw new ApiError('session_conflict', `Sandbox ${this.id} is in deep sleep; wake it before using its files.`);
    return this.disk.mountPoint;
  }
}

