// A sandbox's background processes: started, listed, killed, and — those with `restart: "on_wake"` — started again
// whenever the runtime starts again (after a deep sleep, a daemon restart or a lost runtime). Those specs are
// kept in the sandbox's directory, so they survive the daemon.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { BackgroundProcess, type BackgroundSpec } from './background-process.js';
import { buildCommand, checkEnv } from './exec-command.js';
import type { ProcessRunner } from './process-runner.js';
import type { Leaf } from './sandbox-cgroup.js';
import type { BackgroundRequest, ProcessInfo } from './sandbox-types.js';

/** Records kept per sandbox; past it, the oldest ended ones are forgotten. */
export const MAX_PROCESSES = 64;

export interface RunContext {
  runner: ProcessRunner;
  env: Record<string, string>;
  bun: string;
  cwd: string;
  serial: () => number;
}

export class Background {
  readonly #procs = new Map<number, BackgroundProcess>();
  readonly #file: string;

  constructor(
    dir: string,
    private readonly ringBytes: number,
    private readonly clock: Clock,
  ) {
    this.#file = join(dir, 'on-wake.json');
  }

  async start(ctx: RunContext, req: BackgroundRequest): Promise<ProcessInfo> {
    const restart = req.restart ?? 'never';
    if (restart !== 'never' && restart !== 'on_wake') throw new ApiError('invalid_request', `restart must be "never" or "on_wake"; got ${JSON.stringify(req.restart)}.`);
    const spec: BackgroundSpec = {
      ...(req.code !== undefined ? { code: req.code } : {}),
      ...(req.command !== undefined ? { command: req.command } : {}),
      language: req.language ?? (req.code !== undefined ? 'ts' : 'sh'),
      env: checkEnv(req.env),
      restart,
    };
    const p = await this.#launch(ctx, spec);
    if (restart === 'on_wake') this.#save([...this.#saved(), spec]);
    return p.info();
  }

  async restart(ctx: RunContext): Promise<void> {
    for (const spec of this.#saved()) await this.#launch(ctx, spec);
  }

  list(): ProcessInfo[] {
    return [...this.#procs.values()].map((p) => p.info());
  }

  get(pid: number): BackgroundProcess {
    const p = this.#procs.get(pid);
    if (!p) throw new ApiError('not_found', `There is no background process ${pid} in this sandbox; list them with GET …/processes.`);
    return p;
  }

  /** Kills the process and all it started; an `on_wake` one is not started again either. */
  async kill(pid: number): Promise<ProcessInfo> {
    const p = this.get(pid);
    if (p.spec.restart === 'on_wake') this.#save(this.#saved().filter((s) => JSON.stringify(s) !== JSON.stringify(p.spec)));
    if (p.state === 'running') {
      const exited = new Promise<void>((resolve) => p.once('exit', resolve));
      await p.kill();
      await exited;
    }
    return p.info();
  }

  /** The runtime ended: every process with it. */
  allEnded(signal: string): void {
    const at = new Date(this.clock.now()).toISOString();
    for (const p of this.#procs.values()) p.ended(null, signal, at);
  }

  async #launch(ctx: RunContext, spec: BackgroundSpec): Promise<BackgroundProcess> {
    const n = ctx.serial();
    const command = buildCommand(spec, ctx.env, ctx.bun);
    let proc: BackgroundProcess | null = null;
    const early: Buffer[] = [];
    let exit: [number | null, string | null] | null = null;
    let leaf: Leaf | null = null;
    const started = await ctx.runner.start({
      argv: command.argv,
      env: command.env,
      cwd: ctx.cwd,
      ...(command.stdin !== undefined ? { stdin: command.stdin } : {}),
      leafName: `bg-${n}`,
      onOutput: (_fd, data) => (proc ? proc.push(data) : early.push(data)),
      onExit: (code, signal) => {
        if (proc) proc.ended(code, signal, new Date(this.clock.now()).toISOString());
        else exit = [code, signal];
        leaf?.remove();
      },
    });
    leaf = started.leaf;
    if (exit) leaf?.remove();
    proc = new BackgroundProcess(started.pid, command.label, spec, new Date(this.clock.now()).toISOString(), this.ringBytes);
    proc.kill = started.kill;
    for (const data of early) proc.push(data);
    if (exit) proc.ended(exit[0], exit[1], new Date(this.clock.now()).toISOString());
    this.#procs.delete(started.pid); // a pid reused after a restart replaces the old record
    this.#procs.set(started.pid, proc);
    this.#prune();
    return proc;
  }

  #prune(): void {
    for (const [pid, p] of this.#procs) {
      if (this.#procs.size <= MAX_PROCESSES) return;
      if (p.state === 'exited') this.#procs.delete(pid);
    }
  }

  #saved(): BackgroundSpec[] {
    try {
      return JSON.parse(readFileSync(this.#file, 'utf8')) as BackgroundSpec[];
    } catch {
      return [];
    }
  }

  #save(specs: BackgroundSpec[]): void {
    writeFileSync(`${this.#file}.tmp`, JSON.stringify(specs));
    renameSync(`${this.#file}.tmp`, this.#file);
  }
}
