// A Bun started ahead of the next ts/js exec: already in its own cgroup leaf and blocked reading its code on
// stdin (`bun run -`), so that exec skips Bun's start-up, the agent's spawn and the cgroup moves. One per
// sandbox whose runtime runs (frozen with it when idle); it ends with the runtime.
import type { Command } from './exec-command.js';
import { renice, type ProcessRunner, type Started } from './process-runner.js';
import type { RunView } from './sandbox-start.js';

type Output = (fd: 1 | 2, data: Buffer) => void;
type Exit = (code: number | null, signal: string | null) => void;

interface Sink {
  output: Output | null;
  exit: Exit | null;
  ended: [number | null, string | null] | null;
}

export class WarmBun {
  readonly #sink: Sink;
  #claimed = false;
  /** CPU time its start-up used, taken off the exec's `cpu_ms`. */
  cpuBefore = 0;

  private constructor(
    readonly started: Started,
    /** The environment it was started with: only an exec asking for exactly this may use it. */
    readonly env: Record<string, string>,
    sink: Sink,
  ) {
    this.#sink = sink;
  }

  static async start(runner: ProcessRunner, bun: string, env: Record<string, string>, cwd: string, leafName: string): Promise<WarmBun> {
    // Output before its code arrives (a Bun warning, say) is not the exec's: only a bound sink receives it.
    const sink: Sink = { output: null, exit: null, ended: null };
    const started = await runner.start({
      argv: [bun, 'run', '-'],
      env,
      cwd,
      hold: true,
      // Loading at the lowest priority, it takes no CPU from code the sandbox is running meanwhile.
      ...(process.getuid?.() === 0 ? { nice: 19 } : {}),
      leafName,
      onOutput: (fd, data) => sink.output?.(fd, data),
      onExit: (code, signal) => {
        sink.ended = [code, signal];
        sink.exit?.(code, signal);
      },
    });
    return new WarmBun(started, env, sink);
  }

  /**
   * Still waiting for code: not used, and not killed by the sandbox's own code — its leaf, where there is one,
   * says so at once, before the agent's word that it exited can arrive.
   */
  get ready(): boolean {
    if (this.#claimed || this.#sink.ended !== null) return false;
    return this.started.leaf === null || this.started.leaf.pids().length > 0;
  }

  /** Binds the exec's handlers and hands over its code; returns the process as if started for it. */
  claim(code: string, onOutput: Output, onExit: Exit): Started {
    this.#claimed = true;
    this.#sink.output = onOutput;
    this.#sink.exit = onExit;
    if (this.started.hostPid !== null && process.getuid?.() === 0) renice(this.started.hostPid, 0);
    this.cpuBefore = this.started.leaf?.stats().cpu_ms ?? 0;
    this.started.feed(code);
    return this.started;
  }

  discard(): Promise<void> {
    this.#claimed = true;
    return this.started.kill();
  }
}

/** The one warm Bun a running sandbox keeps, taken by an exec that can use it and refilled behind it. */
export class WarmSlot {
  #warm: WarmBun | null = null;
  #filling: Promise<void> | null = null;

  /** `current`: the runner and view while the sandbox runs (null when it does not); `leaf`: a fresh leaf name. */
  constructor(
    private readonly current: () => { runner: ProcessRunner; view: RunView } | null,
    private readonly leaf: () => string,
  ) {}

  /**
   * The warm Bun if this exec can use it (ts/js with the base environment); the next one starts loading behind
   * it at nice 19 (as root), so it is ready for the exec after without slowing this one.
   */
  async take(command: Command): Promise<WarmBun | undefined> {
    if (command.language === 'sh') return undefined;
    // One already on its way (the last exec took the previous one) is no slower than starting another.
    if (!this.#warm?.ready && this.#filling) await this.#filling;
    const warm = this.#warm?.ready && sameEnv(this.#warm.env, command.env) ? this.#warm : undefined;
    if (warm || !this.#warm?.ready) this.#warm = null;
    if (warm && process.getuid?.() === 0) this.refill();
    return warm;
  }

  /** Starts the next warm Bun in the background, unless one is ready or coming; a failure only means the next exec starts its own. */
  refill(): void {
    const now = this.current();
    if (!now || this.#filling || this.#warm?.ready) return;
    this.#filling = WarmBun.start(now.runner, now.view.bun, now.view.env, now.view.cwd, this.leaf())
      .then((w) => {
        if (this.current()?.runner === now.runner && !this.#warm) this.#warm = w;
        else void w.discard();
      })
      .catch(() => undefined)
      .finally(() => (this.#filling = null));
  }

}

function sameEnv(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
