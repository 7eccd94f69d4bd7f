// Commands and answers with an ESP ROM loader over an open serial line, with esptool's timeouts and the injected clock.
import type { Clock } from '../../shared/clock.js';
import type { SerialLine } from '../../transport/serial/port.js';
import { Aborted, CommandFailed, CommandTimeout, PortGone } from './flash-errors.js';
import { OP_NAMES, parseResponse, request, TIMEOUT, type Response } from './rom-protocol.js';
import { SlipDecoder, slipEncode } from './slip.js';

/** Boot output kept for the "never synced" error: enough for the ROM banner and a few lines after it. */
const BOOT_OUTPUT_KEEP = 2048;

interface Waiter {
  resolve: (packet: Buffer) => void;
  reject: (err: Error) => void;
}

export class LoaderLink {
  #packets: Buffer[] = [];
  #waiter: Waiter | null = null;
  #failure: Error | null = null;
  #noise = Buffer.alloc(0);
  /** Bytes each way since the link opened (framing included): what the line carried. */
  readonly wire = { tx: 0, rx: 0 };
  readonly #decoder = new SlipDecoder(
    (p) => this.#onPacket(p),
    (b) => this.#onNoise(b),
  );
  readonly #onData = (chunk: Buffer) => {
    this.wire.rx += chunk.length;
    this.#decoder.push(chunk);
  };
  readonly #onClose = () => this.#fail(new PortGone(this.label));
  readonly #onAbort = () => this.#fail(new Aborted());

  constructor(
    private readonly stream: SerialLine,
    private readonly label: string,
    private readonly clock: Clock,
    private readonly signal?: AbortSignal,
  ) {
    stream.on('data', this.#onData);
    stream.on('close', this.#onClose);
    signal?.addEventListener('abort', this.#onAbort);
    if (!stream.isOpen) this.#failure = new PortGone(label);
    if (signal?.aborted) this.#failure = new Aborted();
  }

  /** Stops listening; the stream is left open for its owner. */
  close(): void {
    this.stream.off('data', this.#onData);
    this.stream.off('close', this.#onClose);
    this.signal?.removeEventListener('abort', this.#onAbort);
    this.#fail(new Aborted());
  }

  get failure(): Error | null {
    return this.#failure;
  }

  /** What the board printed outside protocol packets lately (its boot log), as text. */
  bootOutput(): string {
    return this.#noise.toString('latin1');
  }

  clearBootOutput(): void {
    this.#noise = Buffer.alloc(0);
  }

  /** Forgets answers not yet read, as esptool's flush_input does before a command. */
  flushInput(): void {
    this.#packets = [];
    this.#decoder.reset();
  }

  async send(packet: Buffer): Promise<void> {
    if (this.#failure) throw this.#failure;
    const framed = slipEncode(packet);
    this.wire.tx += framed.length;
    await new Promise<void>((resolve, reject) => {
      this.stream.write(framed, (err) => (err ? reject(this.#failure ?? new PortGone(this.label, err)) : resolve()));
    });
  }

  /** The next packet, whatever it is. */
  nextPacket(timeoutMs: number, what: string): Promise<Buffer> {
    if (this.#failure) return Promise.reject(this.#failure);
    const queued = this.#packets.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.#waiter = null;
        reject(new CommandTimeout(what, timeoutMs));
      }, timeoutMs);
      const done = () => {
        this.clock.clearTimeout(timer);
        this.#waiter = null;
      };
      this.#waiter = {
        resolve: (p) => (done(), resolve(p)),
        reject: (e) => (done(), reject(e)),
      };
    });
  }

  /** The answer to `op`: other packets (late answers to earlier commands) are skipped, as esptool does. */
  async response(op: number, timeoutMs: number): Promise<Response> {
    const deadline = this.clock.now() + timeoutMs;
    const what = OP_NAMES.get(op) ?? `command 0x${op.toString(16)}`;
    for (;;) {
      const left = deadline - this.clock.now();
      if (left <= 0) throw new CommandTimeout(what, timeoutMs);
      const r = parseResponse(await this.nextPacket(left, what));
      if (r && r.op === op) return r;
    }
  }

  /**
   * Sends a command and checks its answer: `dataLen` bytes of response data, then the status bytes (the ROM sends
   * four: status, error, 0, 0), whose first is 0 on success and second the error code.
   */
  async command(op: number, data: Buffer, options: { checksum?: number; timeoutMs?: number; dataLen?: number } = {}): Promise<Response> {
    await this.send(request(op, data, options.checksum ?? 0));
    const timeoutMs = options.timeoutMs ?? TIMEOUT.default;
    const r = await this.response(op, timeoutMs);
    const dataLen = options.dataLen ?? 0;
    const what = OP_NAMES.get(op) ?? `command 0x${op.toString(16)}`;
    const status = r.data.length >= dataLen + 2 ? r.data.subarray(dataLen) : r.data.subarray(0, 2);
    if (status.length < 2 || status[0] !== 0 || r.data.length < dataLen + 2) {
      throw new CommandFailed(op, status[0] ?? 1, status[1] ?? 0, what);
    }
    return { ...r, data: r.data.subarray(0, dataLen) };
  }

  /** Waits `ms` on the injected clock; the link's failure (port gone, abort) cuts it short. */
  sleep(ms: number): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }

  #onPacket(packet: Buffer): void {
    if (this.#waiter) this.#waiter.resolve(packet);
    else this.#packets.push(packet);
  }

  #onNoise(bytes: Buffer): void {
    const joined = Buffer.concat([this.#noise, bytes]);
    this.#noise = joined.length > BOOT_OUTPUT_KEEP ? joined.subarray(joined.length - BOOT_OUTPUT_KEEP) : joined;
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    this.#waiter?.reject(this.#failure);
  }
}
