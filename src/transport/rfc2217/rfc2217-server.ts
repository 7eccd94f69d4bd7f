// One RFC 2217 client connection, server side, without the socket: bytes in from the client become data and port
// actions in their order; board output goes out escaped; every COM-PORT-OPTION command is answered.
import { ComPort, type ComPortOptions, type PortAction } from './com-port.js';
import { TelnetDecoder } from './telnet-decoder.js';
import { escapeIac, negotiation, subnegotiation } from './telnet-encode.js';
import { COM_PORT_OPTION, CPO, SERVER_OFFSET } from './telnet-codes.js';
import { TelnetOptions } from './telnet-options.js';

/** Telnet's BRK command, which a plain telnet client sends for its "send break". */
const BRK = 243;

export interface Rfc2217Port {
  /** Client data on its way to the board, unescaped. */
  write(data: Buffer): void;
  /** A port action, called in the order the client asked (never merged, never reordered). */
  act(action: PortAction): void;
}

export interface Rfc2217ServerOptions extends ComPortOptions {
  /** A line about a malformed sequence or refused option, for the user; the stream goes on regardless. */
  log?: (line: string) => void;
}

export class Rfc2217Server {
  readonly comPort: ComPort;
  readonly #decoder: TelnetDecoder;
  readonly #options: TelnetOptions;
  #malformed = 0;

  constructor(
    private readonly send: (bytes: Buffer) => void,
    private readonly port: Rfc2217Port,
    private readonly settings: Rfc2217ServerOptions,
  ) {
    this.comPort = new ComPort(settings);
    this.#options = new TelnetOptions(
      (verb, option) => send(negotiation(verb, option)),
      () => this.#notifyModemState(),
    );
    this.#decoder = new TelnetDecoder({
      data: (bytes) => port.write(bytes),
      negotiate: (verb, option) => this.#options.receive(verb, option),
      subnegotiation: (option, payload) => this.#subnegotiation(option, payload),
      command: (code) => {
        if (code !== BRK) return; // NOP, GA, AYT and the rest mean nothing to a serial port
        port.act({ type: 'break', on: true });
        port.act({ type: 'break', on: false });
      },
      malformed: (what) => this.#bad(what),
    });
  }

  /** Sends the server's opening negotiation. */
  start(): void {
    this.#options.open();
  }

  /** Bytes from the client, in whatever pieces TCP delivers them. */
  receive(chunk: Buffer): void {
    this.#decoder.push(chunk);
  }

  /** Board output for the client, with 0xFF escaped. */
  output(data: Buffer): void {
    if (data.length > 0) this.send(escapeIac(data));
  }

  /** Malformed sequences seen so far (dropped; the stream went on). */
  get malformed(): number {
    return this.#malformed;
  }

  #subnegotiation(option: number, payload: Buffer): void {
    if (option !== COM_PORT_OPTION) {
      this.#bad(`subnegotiation for option ${option}, which was not agreed`);
      return;
    }
    const result = this.comPort.handle(payload);
    if (!result) {
      this.#bad(`COM-PORT-OPTION command ${payload[0] ?? '(empty)'} with ${Math.max(0, payload.length - 1)} value bytes`);
      return;
    }
    // The action first, then the answer: by the time the client reads "done", the request is on its way to the board.
    for (const action of result.actions) this.port.act(action);
    if (result.reply) this.send(subnegotiation(COM_PORT_OPTION, result.reply));
  }

  #notifyModemState(): void {
    this.send(subnegotiation(COM_PORT_OPTION, Buffer.of(CPO.NOTIFY_MODEMSTATE + SERVER_OFFSET, this.comPort.modemState)));
  }

  #bad(what: string): void {
    this.#malformed++;
    this.settings.log?.(`ignored a malformed Telnet sequence from the client: ${what}`);
  }
}
