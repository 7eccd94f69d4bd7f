// Starts one sandbox's long-lived runtime (bubblewrap around the agent, or the agent alone at the `process`
// level), with its processes in the sandbox's cgroup before any of its code runs, and watches it end.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { Clock } from '../../shared/clock.js';
import { AgentChannel } from './agent-channel.js';
import { baseEnv, bwrapArgs, INSIDE, type BwrapPlan } from './bwrap-args.js';
import { startSlirp, type Slirp } from './outbound-network.js';
import type { Leaf } from './sandbox-cgroup.js';

const STDERR_TAIL = 4096;
const READY_TIMEOUT_MS = 15_000;

export interface RuntimeOptions {
  mode: 'namespaces' | 'process';
  plan: BwrapPlan;
  bwrap: string;
  /** The sandbox's host user when the daemon is root (and its files' owner); null: the daemon's own user. */
  owner: { uid: number; gid: number } | null;
  leaf: Leaf | null;
  clock: Clock;
  /** slirp4netns, when the sandbox may reach out (its namespace then gets tap0 before any code runs). */
  slirp: string | null;
  /** What must be in place before bwrap (or the agent) runs: the workspace and run dir, mounted meanwhile. */
  files: Promise<unknown>;
}

interface RuntimeEvents {
  exit: [reason: string];
}

export class Runtime extends EventEmitter<RuntimeEvents> {
  readonly channel: AgentChannel;
  /** Host pid of the process whose death ends the sandbox (the pid namespace's init, or the agent). */
  nsInit = 0;
  bunVersion = '';
  #slirp: Slirp | null = null;
  #tail = '';
  #exited = false;
  readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly mode: 'namespaces' | 'process',
  ) {
    super();
    this.channel = new AgentChannel(child.stdin as Writable, child.stdout as Readable);
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (this.#tail = (this.#tail + text).slice(-STDERR_TAIL)));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exited = true;
        this.#slirp?.stop();
        const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const last = explanation(this.#tail);
        this.emit('exit', `the sandbox's runtime ${why}${last ? `: ${last}` : ''}`);
        resolve();
      });
    });
    this.channel.on('violation', (what) => {
      this.#tail += `\n${what}`;
      this.kill();
    });
  }

  get alive(): boolean {
    return !this.#exited;
  }

  get stderrTail(): string {
    return this.#tail;
  }

  /** The host pid of a process the agent names by its pid inside the sandbox (null if it is not in the sandbox). */
  hostPid(nsPid: number, candidates: number[]): number | null {
    if (this.mode === 'process') return candidates.includes(nsPid) ? nsPid : null;
    for (const pid of candidates) {
      try {
        const line = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        const fields = line?.trim().split(/\s+/) ?? [];
        // One field: a process of the host's pid namespace (bwrap itself), never one of the sandbox's.
        if (fields.length >= 2 && Number(fields.at(-1)) === nsPid) return pid;
      } catch {
        // Exited meanwhile.
      }
    }
    return null;
  }

  kill(): void {
    for (const pid of [this.nsInit, this.child.pid ?? 0]) {
      if (pid <= 0) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone.
      }
    }
  }

  static async start(o: RuntimeOptions): Promise<Runtime> {
    const asRoot = o.owner !== null;
    const env =
      o.mode === 'namespaces'
        ? { ...baseEnv(), FBAY_RUN_DIR: INSIDE.run }
        : { ...baseEnv(o.plan.workspace, o.plan.runDir), FBAY_RUN_DIR: o.plan.runDir };
    const stdio: ('pipe' | 'ignore')[] = ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'];
    let child: ChildProcess;
    // Without namespaces the agent's cwd is the workspace itself, which must be mounted before it is entered.
    if (o.mode === 'process') await o.files;
    if (o.mode === 'namespaces') {
      // Held in `sh -c read` (fd 5) until it is in the sandbox's group, so that bwrap makes every namespace —
      // the cgroup one too, rooted there — from inside it.
      const hold = 'read -r _ <&5 || exit 125; exec 5<&-; exec "$@"';
      child = spawn('/bin/sh', ['-c', hold, 'fbay-bwrap', o.bwrap, ...bwrapArgs(o.plan)], { env, stdio, detached: true });
    } else {
      // No namespaces: hold the agent in `sh -c read` while it is put in its cgroup, then drop to its user.
      const drop = asRoot && o.plan.setpriv ? [o.plan.setpriv, `--reuid=${o.owner!.uid}`, `--regid=${o.owner!.gid}`, '--clear-groups', '--inh-caps=-all', '--no-new-privs', '--'] : [];
      child = spawn('/bin/sh', ['-c', 'read -r _ <&5 || exit 125; exec 3<&- 4>&- 5<&-; exec "$@"', 'fbay-runtime', ...drop, o.plan.bun, o.plan.agent], {
        env,
        stdio,
        cwd: o.plan.workspace,
        detached: true,
      });
    }
    const runtime = new Runtime(child, o.mode);
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(new Error(`could not start ${o.mode === 'namespaces' ? o.bwrap : 'the runtime'}: ${err.message}`)));
      runtime.once('exit', (reason) => reject(new Error(reason)));
    });
    failed.catch(() => undefined);
    const ready = new Promise<void>((resolve) => {
      runtime.channel.on('message', (m) => {
        if (m.t !== 'ready' || runtime.bunVersion) return;
        runtime.bunVersion = m.bun;
        resolve();
      });
    });
    try {
      await o.leaf?.add(child.pid!);
      // The process is made and in its cgroup while the workspace is being made: bwrap waits only for what is left.
      await Promise.race([o.files, failed]);
      (child.stdio[5 as number] as Writable).end('\n');
      if (o.mode === 'namespaces') {
        runtime.nsInit = await Promise.race([childPid(child.stdio[4] as Readable), failed]);
        mapIds(runtime.nsInit, o.owner);
        (child.stdio[3] as Writable).end('\n');
      } else runtime.nsInit = child.pid!;
      let timer: ReturnType<Clock['setTimeout']> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = o.clock.setTimeout(() => reject(new Error(`the sandbox's runtime did not answer within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
      });
      await Promise.race([ready, failed, timeout]).finally(() => timer && o.clock.clearTimeout(timer));
      // After the agent is up, so bwrap has set up loopback first (slirp4netns racing it makes bwrap fail).
      if (o.mode === 'namespaces' && o.slirp) runtime.#slirp = await Promise.race([startSlirp(o.slirp, runtime.nsInit, o.clock), failed]);
      return runtime;
    } catch (err) {
      runtime.kill();
      await runtime.exited;
      const tail = explanation(runtime.stderrTail);
      throw new Error(`${(err as Error).message}${tail && !(err as Error).message.includes(tail) ? ` (${tail})` : ''}`);
    }
  }
}

/** The line of a crashed runtime's stderr that says why (Bun ends its report with a banner, bwrap with the cause). */
function explanation(tail: string): string | undefined {
  const lines = tail.trim().split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^(error|bwrap:)|EACCES|ENOENT|denied/i.test(l)) ?? lines.at(-1);
}

/** bwrap writes `{"child-pid": N, …}` on its info fd once the namespaces exist, then waits on its block fd. */
function childPid(info: Readable): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    info.setEncoding('utf8');
    info.on('data', (chunk: string) => {
      text += chunk;
      const m = /"child-pid":\s*(\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
      else if (text.length > 4096) reject(new Error('bwrap wrote an info block without a child pid'));
    });
    info.on('end', () => reject(new Error('bwrap ended before saying its child pid')));
    info.on('error', reject);
  });
}

/**
 * As root, the namespace maps root to root (bwrap builds the mounts as root, so it can read paths only root can
 * reach) and uid 1000 to the sandbox's own host user, which the agent switches to before it runs. Otherwise the
 * daemon's user maps to itself, as bwrap would do.
 */
function mapIds(pid: number, owner: { uid: number; gid: number } | null): void {
  if (owner) {
    writeFileSync(`/proc/${pid}/uid_map`, `0 0 1\n${INSIDE.uid} ${owner.uid} 1\n`);
    writeFileSync(`/proc/${pid}/gid_map`, `0 0 1\n${INSIDE.gid} ${owner.gid} 1\n`);
    return;
  }
  const uid = process.getuid!();
  const gid = process.getgid!();
  writeFileSync(`/proc/${pid}/uid_map`, `${uid} ${uid} 1\n`);
  writeFileSync(`/proc/${pid}/setgroups`, 'deny');
  writeFileSync(`/proc/${pid}/gid_map`, `${gid} ${gid} 1\n`);
}
