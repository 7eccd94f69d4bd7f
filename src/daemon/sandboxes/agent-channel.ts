// The daemon's end of the agent's JSON lines: every message bounded in size and checked against a schema,
// because whatever runs in the sandbox can kill the agent and write in its place.
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import * as v from 'valibot';

/** A line longer than this is not one the agent writes (its output chunks are 32 KiB, 44 KiB in base64). */
export const MAX_LINE = 256 * 1024;

const id = v.pipe(v.number(), v.integer(), v.minValue(0));
const Message = v.variant('t', [
  v.object({ t: v.literal('ready'), bun: v.pipe(v.string(), v.maxLength(64)), pid: id }),
  v.object({ t: v.literal('spawned'), id, pid: v.pipe(id, v.minValue(1)) }),
  v.object({ t: v.literal('failed'), id, error: v.pipe(v.string(), v.maxLength(2000)) }),
  v.object({ t: v.literal('out'), id, fd: v.picklist([1, 2]), b64: v.pipe(v.string(), v.maxLength(MAX_LINE), v.base64()) }),
  v.object({
    t: v.literal('exit'),
    id,
    code: v.nullable(v.pipe(v.number(), v.integer())),
    signal: v.nullable(v.pipe(v.string(), v.maxLength(16))),
  }),
]);
export type AgentMessage = v.InferOutput<typeof Message>;

export interface SpawnCommand {
  t: 'spawn';
  id: number;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  stdin?: string;
}
export type AgentCommand =
  | SpawnCommand
  | { t: 'release'; id: number; open?: boolean }
  | { t: 'feed'; id: number; text: string }
  | { t: 'signal'; id: number; sig: string };

interface ChannelEvents {
  message: [AgentMessage];
  /** The agent broke the protocol (a line too long, or one that fails the schema): the runtime is not to be trusted. */
  violation: [string];
  closed: [];
}

export class AgentChannel extends EventEmitter<ChannelEvents> {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #broken = false;

  constructor(
    private readonly input: Writable,
    output: Readable,
  ) {
    super();
    output.on('data', (chunk: Buffer) => this.#take(chunk));
    output.on('close', () => this.emit('closed'));
    output.on('error', () => undefined);
    input.on('error', () => undefined);
  }

  send(command: AgentCommand): void {
    if (!this.input.writableEnded && !this.input.destroyed) this.input.write(`${JSON.stringify(command)}\n`);
  }

  close(): void {
    this.input.end();
  }

  #take(chunk: Buffer): void {
    if (this.#broken) return;
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      this.#pending.push(chunk.subarray(start, nl));
      const line = Buffer.concat(this.#pending).toString('utf8');
      this.#pending = [];
      this.#pendingBytes = 0;
      start = nl + 1;
      if (line.length > MAX_LINE) return this.#violate(`a line of ${line.length} bytes`);
      this.#line(line);
      if (this.#broken) return;
    }
    if (start < chunk.length) {
      this.#pending.push(chunk.subarray(start));
      this.#pendingBytes += chunk.length - start;
      if (this.#pendingBytes > MAX_LINE) this.#violate(`more than ${MAX_LINE} bytes without a newline`);
    }
  }

  #line(line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return this.#violate('a line that is not JSON');
    }
    const result = v.safeParse(Message, parsed);
    if (!result.success) return this.#violate(`a message that fails the schema (${result.issues[0]?.message ?? 'invalid'})`);
    this.emit('message', result.output);
  }

  #violate(what: string): void {
    this.#broken = true;
    this.#pending = [];
    this.emit('violation', `the sandbox's agent sent ${what}`);
  }
}
