// The boards this host offers (USB serial ports, config entries, virtual boards) and opening one without a reset.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { SerialPortStream } from '@serialport/stream';
import { ApiError } from '../../transport/protocol/errors.js';
import { checkEntries, type BoardEntry } from './board-entries.js';
import { boardType, knownBoardTypes } from './board-types.js';
import type { BoardRecord, OpenedPort } from './board-record.js';
import { BoardDiscovery, type DiscoveryOptions } from './discovery/board-discovery.js';
import { HostBinding, loadSystemBinding, type SystemBindingLoader } from './host-binding.js';
import { PortControl } from './serial-control.js';
import { closeStream, isBusyError, resetSequencesOf } from './port-open.js';
import { VirtualBinding, isVirtualPath, virtualPath } from './virtual-binding.js';
import type { DeviceClock, VirtualDevice } from './virtual-device.js';

export type { BoardRecord, OpenedPort } from './board-record.js';
export type { SerialControl, SerialLine } from '../../transport/serial/port.js';

export type { BoardEntry } from './board-entries.js';
export type { DiscoveryOptions } from './discovery/board-discovery.js';

export interface BoardRegistryOptions {
  virtualBoards: number;
  /** The `boards` config entries; see setEntries(). */
  entries?: readonly BoardEntry[];
  /** Real serial ports: found on USB and from entries, with hotplug. false: virtual boards only, nothing watched. */
  discovery?: DiscoveryOptions | false;
  /** Where virtual boards keep their flash (the daemon's state/virtual-flash); absent: in memory. */
  flashDir?: string;
  /** Virtual boards run their serial line at the set baud rate (config `virtual_pace`). */
  virtualPace?: boolean;
  /** Tests: the virtual boards' clock and the reset sequences' sleep. */
  clock?: DeviceClock;
  sleep?: (ms: number) => Promise<void>;
  loadSystemBinding?: SystemBindingLoader;
}

export const MAX_VIRTUAL_BOARDS = 10_000;
/** How long a board another process holds is shown offline before it is offered again. */
export const BUSY_RECHECK_MS = 5000;

// A virtual port's read pool: small because a daemon may hold a thousand of them open, big enough for flood speed.
const VIRTUAL_READ_BYTES = 16 * 1024;
const REAL_READ_BYTES = 64 * 1024;

/**
 * Emits 'change' when a board comes or goes, goes offline or back online, or moves to another path. list() is
 * synchronous and cheap (the API calls it per request): scans happen on events and on one timer, never in list().
 */
export class BoardRegistry extends EventEmitter {
  readonly #virtual: VirtualBinding;
  readonly #binding: HostBinding;
  readonly #sleep: ((ms: number) => Promise<void>) | undefined;
  readonly #discovery: BoardDiscovery | null = null;
  #virtualRecords: BoardRecord[] = [];
  #records: BoardRecord[] = [];
  /** Boards whose port another process holds, with the timer that offers them again. */
  readonly #busy = new Map<string, NodeJS.Timeout>();
  #byId = new Map<string, BoardRecord>();

  constructor(options: BoardRegistryOptions) {
    super();
    const count = checkCount(options.virtualBoards);
    const entries = checkEntries(options.entries ?? []);
    const { clock, flashDir, virtualPace: pace } = options;
    this.#virtual = new VirtualBinding({ count, ...(clock ? { clock } : {}), ...(flashDir ? { flashDir } : {}), ...(pace ? { pace } : {}) });
    const loadSystem = options.loadSystemBinding ?? loadSystemBinding;
    this.#binding = new HostBinding(this.#virtual, loadSystem);
    this.#sleep = options.sleep;
    const discovery = options.discovery ?? {};
    if (discovery) {
      this.#discovery = new BoardDiscovery({
        systemList: async () => (await loadSystem()).list(),
        ...discovery,
        entries,
        onChange: () => {
          this.#rebuild();
          this.emit('change');
        },
      });
    }
    this.#rebuildVirtual();
  }

  /** Real boards first (config entries in their order, then discovered ones by id), then virtual-1, virtual-2, … */
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
    this.#rebuildVirtual();
    this.emit('change');
  }

  /** The `boards` config entries, without a restart. Throws a RangeError naming a bad entry, changing nothing. */
  setEntries(entries: readonly BoardEntry[]): void {
    this.#discovery?.setEntries(checkEntries(entries));
  }

  /** The simulated chip behind a virtual board (its flash, its power), or undefined for a real board. */
  virtualDevice(id: string): VirtualDevice | undefined {
    const board = this.#byId.get(id);
    return board && isVirtualPath(board.path) ? this.#virtual.device(Number(board.path.slice('virtual:'.length))) : undefined;
  }

  /** Scans now rather than at the next event or tick. */
  refresh(): void {
    this.#discovery?.refresh();
  }

  /** Stops watching for hotplug, and the virtual boards lose power (nothing simulated keeps running). Open ports stay open. */
  close(): void {
    this.#discovery?.close();
    this.#virtual.powerDown();
    for (const timer of this.#busy.values()) clearTimeout(timer);
    this.#busy.clear();
  }

  async open(id: string): Promise<OpenedPort> {
    const board = this.#byId.get(id);
    if (!board) throw new ApiError('not_found', `No board '${id}' on this host; \`fbay boards\` lists them.`);
    if (!board.online) throw new ApiError('no_board_available', `Board '${id}' is offline.`);
    const virtual = isVirtualPath(board.path);
    const stream = new SerialPortStream({
      binding: this.#binding,
      path: board.path,
      baudRate: board.baud_rate,
      autoOpen: false,
      highWaterMark: virtual ? VIRTUAL_READ_BYTES : REAL_READ_BYTES,
      // The kernel raises DTR and RTS together on open (no edge between them: neither auto-reset circuit fires).
      // bindings-cpp's default hupcl drops both on close, so the next open would raise them again: an Arduino's
      // DTR capacitor resets it on that edge. Without hupcl the lines stay up between sessions and no open moves them.
      ...(virtual ? {} : { hupcl: false }),
    });
    // Errors also surface as 'close' (a disconnect) or through callbacks; an unheard 'error' must not crash the daemon.
    stream.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      stream.open((err) => {
        if (!err) return resolve();
        if (!virtual && isBusyError(err)) {
          this.#markBusy(id);
          return reject(
            new Error(
              `Board '${id}' (${board.path}) is in use by another process (${err.message}); it is shown offline and tried again in ${BUSY_RECHECK_MS / 1000} s. Close the other program (fuser ${board.path} names it).`,
              { cause: err },
            ),
          );
        }
        reject(new Error(`Could not open board '${id}' (${board.path}): ${err.message}`, { cause: err }));
      });
    });
    const control = new PortControl(stream, {
      ...(this.#sleep ? { sleep: this.#sleep } : {}),
      sequences: resetSequencesOf(board.reset_style, board.reset_custom),
      board: `'${board.id}' (${board.type})`,
    });
    let closing: Promise<void> | null = null;
    const close = () => (closing ??= closeStream(stream));
    return { board, label: board.path, stream, control, close };
  }

  #rebuildVirtual(): void {
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
          manufacturer: null,
          product: null,
          location: null,
          rate_credits_per_min: type.rate_credits_per_min,
          baud_rate: type.default_baud,
          reset_style: type.reset_style,
          reset_custom: null,
          online: true,
        }),
      );
    }
    this.#virtualRecords = records;
    this.#rebuild();
  }

  #rebuild(): void {
    const real = (this.#discovery?.records ?? []).map((r) => (this.#busy.has(r.id) && r.online ? Object.freeze({ ...r, online: false }) : r));
    this.#records = [...real, ...this.#virtualRecords];
    this.#byId = new Map(this.#records.map((r) => [r.id, r]));
  }

  /**
   * Another process holds the port: show the board offline rather than offering it to session after session, and
   * look again after a while (nothing in sysfs changes when that process lets go).
   */
  #markBusy(id: string): void {
    if (this.#busy.has(id)) return;
    const timer = setTimeout(() => {
      this.#busy.delete(id);
      this.#rebuild();
      this.emit('change');
    }, BUSY_RECHECK_MS);
    timer.unref();
    this.#busy.set(id, timer);
    this.#rebuild();
    this.emit('change');
  }
}

function checkCount(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > MAX_VIRTUAL_BOARDS) {
    throw new RangeError(`virtual_boards must be a whole number from 0 to ${MAX_VIRTUAL_BOARDS}; got ${String(n)}`);
  }
  return n;
}
