// The COM-PORT-OPTION commands (RFC 2217) of one client: what each asks of the port, and the server's answer, which
// always states the value in effect — so a setting the port cannot take is refused in the answer, as pyserial checks.
import { CONTROL, CPO, LINESTATE, PURGE, SERVER_OFFSET } from './telnet-codes.js';

/** What a command asks of the serial port, in the order the client sent it. */
export type PortAction =
  | { type: 'baud'; rate: number }
  /** One modem line set by one SET-CONTROL: each is its own step, as esptool's reset sequences are. */
  | { type: 'line'; line: 'dtr' | 'rts'; on: boolean }
  | { type: 'break'; on: boolean }
  | { type: 'purge'; receive: boolean; transmit: boolean }
  | { type: 'suspend'; on: boolean }
  /** A setting the line cannot take (the answer says what is in effect instead); worth one line to the user. */
  | { type: 'refused'; what: string };

export interface ComPortResult {
  /** The server's answer as a COM-PORT-OPTION payload (command + 100, value), or null for commands without one. */
  reply: Buffer | null;
  actions: PortAction[];
}

export interface ComPortOptions {
  /** The answer to a signature request. */
  signature: string;
  /** The rate reported before any client set one. */
  baudRate?: number;
  /** Whether nothing waits to go to the board (line state's "transfer registers empty"). */
  idle?: () => boolean;
}

/** CTS, DSR, RI, CD: not carried by the serial WebSocket, so reported low. */
const MODEM_LINES = 0;
const PARITY_NONE = 1;
const STOP_ONE = 1;

/** Flow-control values by what they ask for: none, or a kind this line cannot do. */
const OUTBOUND_FLOW: Record<number, string> = { [CONTROL.FLOW_XONXOFF]: 'XON/XOFF', [CONTROL.FLOW_HARDWARE]: 'RTS/CTS', [CONTROL.FLOW_DCD]: 'DCD', [CONTROL.FLOW_DSR]: 'DSR' };
const INBOUND_FLOW: Record<number, string> = { [CONTROL.FLOW_IN_XONXOFF]: 'XON/XOFF', [CONTROL.FLOW_IN_HARDWARE]: 'RTS/CTS', [CONTROL.FLOW_IN_DTR]: 'DTR' };

export class ComPort {
  baudRate: number;
  dtr = true; // Linux raises both lines when a tty opens; the daemon's port starts so too
  rts = true;
  breakOn = false;
  lineStateMask = 0; // RFC 2217's initial masks
  modemStateMask = 255;
  clientSignature: string | null = null;

  constructor(private readonly options: ComPortOptions) {
    this.baudRate = options.baudRate ?? 115200;
  }

  /** A COM-PORT-OPTION subnegotiation's payload (command byte first). Malformed ones get null: ignore and go on. */
  handle(payload: Buffer): ComPortResult | null {
    if (payload.length === 0) return this.#signature(payload); // some clients ask for the signature this way
    const command = payload[0]!;
    const value = payload.subarray(1);
    switch (command) {
      case CPO.SIGNATURE:
        return this.#signature(value);
      case CPO.SET_BAUDRATE:
        return value.length < 4 ? null : this.#baud(value.readUInt32BE(0));
      case CPO.SET_DATASIZE:
        return this.#fixed(command, value, 8, 'data bits', (v) => `${v} data bits`);
      case CPO.SET_PARITY:
        return this.#fixed(command, value, PARITY_NONE, 'parity', (v) => `parity ${['', 'none', 'odd', 'even', 'mark', 'space'][v] ?? v}`);
      case CPO.SET_STOPSIZE:
        return this.#fixed(command, value, STOP_ONE, 'stop bits', (v) => `${v === 3 ? '1.5' : v} stop bits`);
      case CPO.SET_CONTROL:
        return value.length < 1 ? null : this.#control(value[0]!);
      case CPO.NOTIFY_LINESTATE:
        return answer(command, Buffer.of(this.lineState), []);
      case CPO.NOTIFY_MODEMSTATE:
        return answer(command, Buffer.of(this.modemState), []);
      case CPO.FLOWCONTROL_SUSPEND:
      case CPO.FLOWCONTROL_RESUME:
        // Not answered: the server's 108/109 would ask the client to stop sending, which is not what it asked.
        return { reply: null, actions: [{ type: 'suspend', on: command === CPO.FLOWCONTROL_SUSPEND }] };
      case CPO.SET_LINESTATE_MASK:
        if (value.length < 1) return null;
        this.lineStateMask = value[0]!;
        return answer(command, Buffer.of(this.lineStateMask), []);
      case CPO.SET_MODEMSTATE_MASK:
        if (value.length < 1) return null;
        this.modemStateMask = value[0]!;
        return answer(command, Buffer.of(this.modemStateMask), []);
      case CPO.PURGE_DATA:
        return value.length < 1 ? null : this.#purge(value[0]!);
      default:
        return null;
    }
  }

  /** The board's line state: only "nothing left to send" is known here. */
  get lineState(): number {
    return this.options.idle?.() === false ? 0 : LINESTATE.TRANSFER_HOLDING_EMPTY | LINESTATE.TRANSFER_SHIFT_EMPTY;
  }

  /** The modem lines as the mask lets them through; sent once when a client starts RFC 2217, so pyserial can read `cts`. */
  get modemState(): number {
    return MODEM_LINES & this.modemStateMask;
  }

  #signature(value: Buffer): ComPortResult {
    if (value.length > 0) {
      // The client's own signature: noted, not answered.
      this.clientSignature = value.toString('latin1');
      return { reply: null, actions: [] };
    }
    return answer(CPO.SIGNATURE, Buffer.from(this.options.signature, 'utf8'), []);
  }

  #baud(rate: number): ComPortResult {
    if (rate === 0) return answer(CPO.SET_BAUDRATE, u32(this.baudRate), []);
    this.baudRate = rate;
    return answer(CPO.SET_BAUDRATE, u32(rate), [{ type: 'baud', rate }]);
  }

  /** Data size, parity and stop bits: the line is 8N1, always; 0 asks what is in effect. */
  #fixed(command: number, value: Buffer, only: number, name: string, describe: (v: number) => string): ComPortResult | null {
    if (value.length < 1) return null;
    const v = value[0]!;
    const actions: PortAction[] = v === 0 || v === only ? [] : [{ type: 'refused', what: `${describe(v)} (the line is 8N1; ${name} cannot change)` }];
    return answer(command, Buffer.of(only), actions);
  }

  #control(v: number): ComPortResult | null {
    const say = (value: number, actions: PortAction[] = []) => answer(CPO.SET_CONTROL, Buffer.of(value), actions);
    switch (v) {
      case CONTROL.REQ_FLOW:
      case CONTROL.FLOW_NONE:
        return say(CONTROL.FLOW_NONE);
      case CONTROL.REQ_FLOW_IN:
      case CONTROL.FLOW_IN_NONE:
        return say(CONTROL.FLOW_IN_NONE);
      case CONTROL.REQ_BREAK:
        return say(this.breakOn ? CONTROL.BREAK_ON : CONTROL.BREAK_OFF);
      case CONTROL.BREAK_ON:
      case CONTROL.BREAK_OFF:
        this.breakOn = v === CONTROL.BREAK_ON;
        return say(v, [{ type: 'break', on: this.breakOn }]);
      case CONTROL.REQ_DTR:
        return say(this.dtr ? CONTROL.DTR_ON : CONTROL.DTR_OFF);
      case CONTROL.DTR_ON:
      case CONTROL.DTR_OFF:
        this.dtr = v === CONTROL.DTR_ON;
        return say(v, [{ type: 'line', line: 'dtr', on: this.dtr }]);
      case CONTROL.REQ_RTS:
        return say(this.rts ? CONTROL.RTS_ON : CONTROL.RTS_OFF);
      case CONTROL.RTS_ON:
      case CONTROL.RTS_OFF:
        this.rts = v === CONTROL.RTS_ON;
        return say(v, [{ type: 'line', line: 'rts', on: this.rts }]);
      default: {
        const out = OUTBOUND_FLOW[v];
        if (out) return say(CONTROL.FLOW_NONE, [{ type: 'refused', what: `${out} flow control (the line has none)` }]);
        const inbound = INBOUND_FLOW[v];
        if (inbound) return say(CONTROL.FLOW_IN_NONE, [{ type: 'refused', what: `inbound ${inbound} flow control (the line has none)` }]);
        return null;
      }
    }
  }

  #purge(v: number): ComPortResult | null {
    if (v !== PURGE.RECEIVE && v !== PURGE.TRANSMIT && v !== PURGE.BOTH) return null;
    return answer(CPO.PURGE_DATA, Buffer.of(v), [{ type: 'purge', receive: (v & PURGE.RECEIVE) !== 0, transmit: (v & PURGE.TRANSMIT) !== 0 }]);
  }
}

function answer(command: number, value: Buffer, actions: PortAction[]): ComPortResult {
  return { reply: Buffer.concat([Buffer.of(command + SERVER_OFFSET), value]), actions };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}
