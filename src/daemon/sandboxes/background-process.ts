// A background process: it outlives the call that started it, and its output is kept in a ring with absolute
// offsets, so a client that reconnects reads on from where it was.
import { EventEmitter } from 'node:events';
import { ByteRing } from '../../transport/serial/byte-ring.js';
import type { Language, ProcessInfo, ProcessOutput, Restart } from './sandbox-types.js';

export interface BackgroundSpec {
  code?: string;
  command?: string;
  language: Language;
  env: Record<string, string>;
  restart: Restart;
}

interface Events {
  output: [Buffer];
  exit: [];
}

export class BackgroundProcess extends EventEmitter<Events> {
  readonly ring: ByteRing;
  state: 'running' | 'exited' = 'running';
  exitCode: number | null = null;
  signal: string | null = null;
  endedAt: string | null = null;
  kill: () => Promise<void> = async () => undefined;

  constructor(
    readonly pid: number,
    readonly label: string,
    readonly spec: BackgroundSpec,
    readonly startedAt: string,
    ringBytes: number,
  ) {
    super();
    this.ring = new ByteRing(ringBytes);
  }

  push(data: Buffer): void {
    this.ring.push(data);
    this.emit('output', data);
  }

  ended(code: number | null, signal: string | null, at: string): void {
    if (this.state === 'exited') return;
    this.state = 'exited';
    this.exitCode = code;
    this.signal = signal;
    this.endedAt = at;
    this.emit('exit');
  }

  info(): ProcessInfo {
    return {
      pid: this.pid,
      command: this.label,
      language: this.spec.language,
      restart: this.spec.restart,
      state: this.state,
      exit_code: this.exitCode,
      signal: this.signal,
      started_at: this.startedAt,
      ended_at: this.endedAt,
      output_bytes: this.ring.end,
    };
  }

  output(since: number): ProcessOutput {
    const { lost, data } = this.ring.since(Number.isFinite(since) && since >= 0 ? since : 0);
    return { data, next: this.ring.end, lost, ended: this.state === 'exited', exit_code: this.exitCode };
  }
}
