// Telnet option negotiation for an RFC 2217 server: BINARY, SUPPRESS-GO-AHEAD and COM-PORT-OPTION accepted on both
// sides, everything else refused. Answers only on a change of state, so two peers can never loop (RFC 854's rule).
import { BINARY, COM_PORT_OPTION, DO, DONT, SGA, WILL, WONT, type Verb } from './telnet-codes.js';

export const ACCEPTED_OPTIONS: ReadonlySet<number> = new Set([BINARY, SGA, COM_PORT_OPTION]);

interface Side {
  enabled: boolean;
  /** We asked (WILL or DO) and wait for the answer: the answer needs no reply. */
  asked: boolean;
}

export class TelnetOptions {
  /** What this end does (WILL/WONT), by option. */
  readonly #ours = new Map<number, Side>();
  /** What the peer does (DO/DONT from us), by option. */
  readonly #theirs = new Map<number, Side>();

  /** `send` gets each negotiation to put on the wire; `onComPort` is told once the client speaks RFC 2217. */
  constructor(
    private readonly send: (verb: Verb, option: number) => void,
    private readonly onComPort: () => void = () => undefined,
  ) {}

  /** The server's opening: offer and ask for binary both ways, no go-aheads, and the COM port option. */
  open(): void {
    for (const option of [BINARY, SGA]) this.#ask(this.#ours, option, WILL);
    for (const option of [BINARY, SGA, COM_PORT_OPTION]) this.#ask(this.#theirs, option, DO);
  }

  /** Whether the peer agreed to (or offered) RFC 2217, on either side: clients differ in which one they use. */
  get comPort(): boolean {
    return this.#side(this.#theirs, COM_PORT_OPTION).enabled || this.#side(this.#ours, COM_PORT_OPTION).enabled;
  }

  enabled(side: 'ours' | 'theirs', option: number): boolean {
    return this.#side(side === 'ours' ? this.#ours : this.#theirs, option).enabled;
  }

  receive(verb: Verb, option: number): void {
    const before = this.comPort;
    if (verb === DO || verb === DONT) this.#answer(this.#ours, option, verb === DO, WILL, WONT);
    else this.#answer(this.#theirs, option, verb === WILL, DO, DONT);
    if (!before && this.comPort) this.onComPort();
  }

  #answer(sides: Map<number, Side>, option: number, yes: boolean, agree: Verb, refuse: Verb): void {
    const side = this.#side(sides, option);
    const asked = side.asked;
    side.asked = false;
    if (yes) {
      if (side.enabled) return;
      if (!ACCEPTED_OPTIONS.has(option)) {
        this.send(refuse, option);
        return;
      }
      side.enabled = true;
      if (!asked) this.send(agree, option);
    } else {
      if (!side.enabled) return;
      side.enabled = false;
      if (!asked) this.send(refuse, option);
    }
  }

  #ask(sides: Map<number, Side>, option: number, verb: Verb): void {
    const side = this.#side(sides, option);
    side.asked = true;
    this.send(verb, option);
  }

  #side(sides: Map<number, Side>, option: number): Side {
    let side = sides.get(option);
    if (!side) {
      side = { enabled: false, asked: false };
      sides.set(option, side);
    }
    return side;
  }
}
