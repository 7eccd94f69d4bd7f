// The boards this host offers (virtual ones for now) and the way to open one's port without resetting it.
import { EventEmitter } from 'node:events';
import { SerialPortStream } from '@serialport/stream';
import { ApiError } from '../../transport/protocol/errors.js';
import { boardType, knownBoardTypes } from './board-types.js';
import { HostBinding, type SystemBindingLoader } from './host-binding.js';
import { PortControl } from './serial-control.js';
import { VirtualBinding, isVirtualPath, virtualPath } from './virtual-binding.js';
import type { DeviceClock } from './virtual-device.js';

export interface BoardRecord {
  id: string;
  type: string;
  name: string;
  path: string;
  vid: string | null;
  pid: string | null;
  serial_number: string | null;
  rate_credits_per_min: number;
  baud_rate: number;
  online: boolean;
}

/** What the relay and POST /reset call. */
export interface SerialControl {
  reset(mode: 'hard' | 'bootloader'): Promise<void>;
  setSignals(s: { dtr?: boolean; rts?: boolean }): Promise<void>;
  /** Rejects with a clear message on an invalid rate. */
  setBaud(rate: number): Promise<void>;
  sendBreak(): Promise<void>;
}

export interface OpenedPort {
  board: BoardRecord;
  /** Opened, with no DTR/RTS pulse. */
  stream: SerialPortStream;
  control: SerialControl;
  close(): Promise<void>;
}

export interface BoardRegistryOptions {
  virtualBoards: number;
  /** Tests: the virtual boards' clock and the reset sequences' sleep. */
  clock?: DeviceClock;
  sleep?: (ms: number) => Promise<void>;
  loadSystemBinding?: SystemBindingLoader;
}

export const MAX_VIRTUAL_BOARDS = 10_000;
// A virtual port's read pool: small because a daemon may hold a thousand of them open, big enough for flood speed.
const VIRTUAL_READ_BYTES = 16 * 1024;
const REAL_READ_BYTES = 64 * 1024;

export class BoardRegistry extends EventEmitter {
  readonly #virtual: VirtualBinding;
  readonly #binding: HostBinding;
  readonly #sleep: ((ms: number) => Promise<void>) | undefined;
  #records: BoardRecord[] = [];
  #byId = new Map<string, BoardRecord>();

  constructor(options: BoardRegistryOptions) {
    super();
    const count = checkCount(options.virtualBoards);
    this.#virtual = new VirtualBinding({ count, ...(options.clock ? { clock: options.clock } : {}) });
    this.#binding = new HostBinding(this.#virtual, options.loadSystemBinding);
    this.#sleep = options.sleep;
    this.#rebuild();
  }

  /** Stable order: virtual-1, virtual-2, … */
  list(): BoardRecord[] {
    return [...this.#records];
  }

  get(id: string): BoardRecord | undefined {
    return this.#byId.get(id);
  }

  /** Every known type (catalog and present), sorted. */
  types(): string[] {
    const types = new Set(knownBoardTypes().map((t) => t.type));
    for (const r of this.#records) types.add(r.type);
    return [...types].sort();
  }

  /** A config change, without a restart: boards past the new count are unplugged. */
  setVirtualCount(n: number): void {
    const count = checkCount(n);
    if (count === this.#virtual.count) return;
    this.#virtual.setCount(count);
    this.#rebuild();
    this.emit('change');
  }

  async open(id: string): Promise<OpenedPort> {
    const board = this.#byId.get(id);
    if (!board) throw new ApiError('not_found', `No board '${id}' on this host; \`fbay boards\` lists them.`);
    if (!board.online) throw new ApiError('no_board_available', `Board '${id}' is offline.`);
    const stream = new SerialPortStream({
      binding: this.#binding,
      path: board.path,
      baudRate: board.baud_rate,
      autoOpen: false,
      highWaterMark: isVirtualPath(board.path) ? VIRTUAL_READ_BYTES : REAL_READ_BYTES,
    });
    // Errors also surface as 'close' (a disconnect) or through callbacks; an unheard 'error' must not crash the daemon.
    stream.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      stream.open((err) => (err ? reject(new Error(`Could not open board '${id}' (${board.path}): ${err.message}`, { cause: err })) : resolve()));
    });
    const control = new PortControl(stream, this.#sleep ? { sleep: this.#sleep } : {});
    let closing: Promise<void> | null = null;
    const close = () => (closing ??= closeStream(stream));
    return { board, stream, control, close };
  }

  #rebuild(): void {
    const type = boardType('virtual')!;
    const records: BoardRecord[] = [];
    for (let n = 1; n <= this.#virtual.count; n++) {
      records.push(
        Object.freeze({
          id: `virtual-${n}`,
          type: 'virtual',
          name: `virtual-${n}`,
          path: virtualPath(n),
          vid: null,
          pid: null,
          serial_number: null,
          rate_credits_per_min: type.rate_credits_per_min,
          baud_rate: type.default_baud,
          online: true,
        }),
      );
    }
    this.#records = records;
    this.#byId = new Map(records.map((r) => [r.id, r]));
  }
}

function checkCount(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > MAX_VIRTUAL_BOARDS) {
    throw new RangeError(`virtual_boards must be a whole number from 0 to ${MAX_VIRTUAL_BOARDS}; got ${String(n)}`);
  }
  return n;
}

/** Resolves once the port is closed; a port already closed (or unplugged) counts as closed. */
function closeStream(stream: SerialPortStream): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.isOpen) {
      if (stream.closing) stream.once('close', () => resolve());
      else resolve();
      return;
    }
    stream.close(() => resolve());
  });
}
