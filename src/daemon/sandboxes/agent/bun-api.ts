// The few Bun APIs the agent uses, typed here because the project is typed against Node: the agent runs only
// under Bun, and uses Bun's own APIs because loading Node's compatibility modules costs its start tens of ms.

/** A buffered writer on a pipe: a Promise from `write` or `flush` means the reader is behind. */
export interface FileSink {
  write(chunk: string | Uint8Array): number | Promise<number>;
  flush(): number | Promise<number>;
  end(): number | Promise<number>;
}

export interface Subprocess {
  readonly pid: number;
  readonly stdin: FileSink;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
}

export interface SpawnOptions {
  cwd: string;
  env: Record<string, string>;
  stdin: 'pipe';
  stdout: 'pipe';
  stderr: 'pipe';
  /** In a session (and process group) of its own, so a signal to the group reaches what it started. */
  detached: boolean;
  onExit(proc: Subprocess, code: number | null, signal: string | null): void;
}

/** Bun's sockets do not buffer: `write` answers how many bytes were taken, and `drain` says when to go on. */
export interface Socket<T> {
  data: T;
  write(chunk: string | Uint8Array): number;
  end(): void;
  pause(): void;
  resume(): void;
  terminate(): void;
}

export interface SocketHandlers<T> {
  open?(socket: Socket<T>): void;
  data?(socket: Socket<T>, chunk: Uint8Array): void;
  drain?(socket: Socket<T>): void;
  close?(socket: Socket<T>): void;
  error?(socket: Socket<T>, error: Error): void;
}

export interface BunApi {
  readonly env: Record<string, string | undefined>;
  readonly version: string;
  readonly stdin: { stream(): ReadableStream<Uint8Array> };
  readonly stdout: { writer(options?: { highWaterMark?: number }): FileSink };
  spawn(argv: string[], options: SpawnOptions): Subprocess;
  listen<T>(options: { unix: string; socket: SocketHandlers<T> }): unknown;
  connect<T>(options: { hostname: string; port: number; socket: SocketHandlers<T> }): Promise<Socket<T>>;
  file(path: string): { delete(): Promise<void> };
}
