// One RFC 2217 client on the bridge: its socket ⇄ the board link, through the Telnet/COM-PORT server. Port actions
// go to the daemon one by one, as they come; board output goes back escaped, and stops coming (the WebSocket is not
// read: the daemon holds it, within its bounds) while the client reads slowly or asked to suspend.
import type { Socket } from 'node:net';
import type { PortAction } from '../../transport/rfc2217/com-port.js';
import { Rfc2217Server } from '../../transport/rfc2217/rfc2217-server.js';
import type { BoardLink } from './board-link.js';
import { ResetAssist } from './reset-assist.js';

/** Board output waiting in the socket for the client above which the WebSocket is paused. */
const SOCKET_HIGH_WATER = 256 * 1024;
/** Output that was already on its way when a client suspended it: held for the resume, more is dropped. */
const SUSPENDED_LIMIT = 1024 * 1024;
/** Malformed sequences worth a line each; after that they are only counted. */
const MALFORMED_LINES = 3;

export interface ClientSessionOptions {
  signature: string;
  log: (line: string) => void;
}

export class ClientSession {
  readonly server: Rfc2217Server;
  readonly #held: Buffer[] = [];
  #heldBytes = 0;
  #suspended = false;
  #dropped = 0;
  /** Why board output is paused: the client suspended it, or its socket is full. */
  readonly #paused = new Set<'suspend' | 'socket'>();
  readonly #resets = new ResetAssist();
  #assisted = false;
  readonly #refused = new Set<string>();
  readonly #onData = (chunk: Buffer) => this.#output(chunk);
  readonly #onDrain = () => this.socket.resume();

  constructor(
    private readonly socket: Socket,
    private readonly link: BoardLink,
    private readonly options: ClientSessionOptions,
  ) {
    socket.setNoDelay(true);
    this.server = new Rfc2217Server((bytes) => this.#send(bytes), { write: (data) => link.write(data), act: (a) => this.#act(a) }, {
      signature: options.signature,
      idle: () => link.pendingBytes === 0,
      log: (line) => {
        const n = this.server.malformed;
        if (n <= MALFORMED_LINES) options.log(n === MALFORMED_LINES ? `${line} (further ones are not shown)` : line);
      },
    });
    link.on('data', this.#onData);
    link.on('drain', this.#onDrain);
    socket.on('drain', () => this.#unpause('socket'));
    socket.on('data', (chunk: Buffer) => {
      this.server.receive(chunk);
      if (link.congested) socket.pause();
    });
    this.server.start();
  }

  /** Stops taking board output; the socket is the listener's to close. */
  detach(): void {
    this.link.off('data', this.#onData);
    this.link.off('drain', this.#onDrain);
    if (this.#paused.size > 0) this.link.resumeOutput(); // the next client must not find it paused
    this.#paused.clear();
  }

  #act(action: PortAction): void {
    switch (action.type) {
      case 'baud':
        this.link.control({ type: 'baud', rate: action.rate });
        return;
      case 'line':
        // One message per change, as the client made it: esptool's resets depend on each step and its timing.
        this.link.control(action.line === 'dtr' ? { type: 'signals', dtr: action.on } : { type: 'signals', rts: action.on });
        if (this.#resets.change(action.line, action.on)) this.#hostReset();
        return;
      case 'break':
        // The serial WebSocket's break is one pulse of 250 ms: it starts at BREAK ON; BREAK OFF has nothing left to end.
        if (action.on) this.link.control({ type: 'break' });
        return;
      case 'purge':
        if (action.transmit) this.link.purgeInput();
        if (action.receive) this.#dropHeld();
        return;
      case 'suspend':
        this.#suspended = action.on;
        if (action.on) this.#pause('suspend');
        else {
          this.#release();
          this.#unpause('suspend');
        }
        return;
      case 'refused':
        if (this.#refused.has(action.what)) return;
        this.#refused.add(action.what);
        this.options.log(`the client asked for ${action.what}: refused, the bridge answered with the setting in effect.`);
        return;
    }
  }

  /** esptool's bootloader entry came too slowly to work (see ResetAssist): the host runs the board's own. */
  #hostReset(): void {
    this.link.control({ type: 'reset', mode: 'bootloader' });
    if (this.#assisted) return;
    this.#assisted = true;
    this.options.log(
      "the client's bootloader reset arrived with its DTR and RTS steps too far apart for the board (pyserial waits for an answer to each); the host ran the board's bootloader reset after it.",
    );
  }

  #output(chunk: Buffer): void {
    if (!this.#suspended) {
      this.server.output(chunk);
      if (this.socket.writableLength > SOCKET_HIGH_WATER) this.#pause('socket');
      return;
    }
    if (this.#heldBytes + chunk.length > SUSPENDED_LIMIT) {
      this.#dropped += chunk.length;
      return;
    }
    this.#held.push(chunk);
    this.#heldBytes += chunk.length;
  }

  #release(): void {
    if (this.#dropped > 0) {
      this.options.log(`${this.#dropped} bytes of board output were dropped while the client had suspended it.`);
      this.#dropped = 0;
    }
    const held = this.#held.splice(0);
    this.#heldBytes = 0;
    for (const chunk of held) this.server.output(chunk);
  }

  #pause(why: 'suspend' | 'socket'): void {
    if (this.#paused.size === 0) this.link.pauseOutput();
    this.#paused.add(why);
  }

  #unpause(why: 'suspend' | 'socket'): void {
    if (this.#paused.delete(why) && this.#paused.size === 0) this.link.resumeOutput();
  }

  #dropHeld(): void {
    this.#held.length = 0;
    this.#heldBytes = 0;
  }

  #send(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }
}
