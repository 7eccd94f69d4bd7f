// A streaming Telnet decoder: splits a byte stream into data, negotiations, subnegotiations and commands, across any
// packet boundary, and recovers from malformed sequences instead of swallowing the data after them.
import { IAC, SB, SE, isVerb, type Verb } from './telnet-codes.js';

export interface TelnetHandler {
  /** Data bytes, IAC IAC already turned back into one 0xFF. Never empty. */
  data(bytes: Buffer): void;
  negotiate(verb: Verb, option: number): void;
  /** `IAC SB option payload IAC SE`, IAC IAC inside the payload unescaped. */
  subnegotiation(option: number, payload: Buffer): void;
  /** A two-byte command other than SB/SE and the four verbs: NOP, BRK, AYT, GA, … */
  command(code: number): void;
  /** A malformed sequence that was dropped, described for a log line. */
  malformed(what: string): void;
}

/** Longer subnegotiations are garbage (RFC 2217's longest is a signature text): dropped, and decoding goes on. */
export const MAX_SUBNEGOTIATION = 1024;

const enum State {
  Data,
  Iac,
  Verb,
  SbOption,
  SbData,
  SbIac,
}

export class TelnetDecoder {
  #state = State.Data;
  #verb: Verb = 251;
  #option = 0;
  #payload: number[] = [];
  /** Data of the chunk being decoded, handed on in one piece before any event that follows it. */
  #pending: Buffer[] = [];

  constructor(private readonly handler: TelnetHandler) {}

  push(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.#state === State.Data) {
        const at = chunk.indexOf(IAC, i);
        const end = at < 0 ? chunk.length : at;
        if (end > i) this.#pending.push(i === 0 && end === chunk.length ? chunk : chunk.subarray(i, end));
        if (at < 0) break;
        this.#state = State.Iac;
        i = at + 1;
        continue;
      }
      this.#byte(chunk[i]!);
      i++;
    }
    this.#flush();
  }

  #byte(b: number): void {
    switch (this.#state) {
      case State.Iac:
        this.#afterIac(b);
        return;
      case State.Verb:
        this.#state = State.Data;
        this.#flush();
        this.handler.negotiate(this.#verb, b);
        return;
      case State.SbOption:
        this.#option = b;
        this.#payload = [];
        this.#state = State.SbData;
        return;
      case State.SbData:
        if (b === IAC) this.#state = State.SbIac;
        else this.#collect(b);
        return;
      case State.SbIac:
        if (b === IAC) {
          this.#state = State.SbData;
          this.#collect(IAC);
        } else if (b === SE) {
          this.#state = State.Data;
          this.#flush();
          this.handler.subnegotiation(this.#option, Buffer.from(this.#payload));
        } else {
          // IAC <command> inside SB: the SE never came. Drop the half subnegotiation and read the command normally,
          // so a client that cut one short still negotiates.
          this.#dropSubnegotiation(`subnegotiation of option ${this.#option} cut short by IAC ${b}`);
          this.#afterIac(b);
        }
        return;
      default:
        return;
    }
  }

  #afterIac(b: number): void {
    this.#state = State.Data;
    if (b === IAC) this.#pending.push(Buffer.of(IAC));
    else if (b === SB) this.#state = State.SbOption;
    else if (isVerb(b)) {
      this.#verb = b;
      this.#state = State.Verb;
    } else if (b === SE) {
      this.#flush();
      this.handler.malformed('IAC SE with no subnegotiation open');
    } else if (b > SE) {
      this.#flush();
      this.handler.command(b);
    } else {
      this.#flush();
      this.handler.malformed(`IAC followed by ${b}, which is no Telnet command`);
    }
  }

  #collect(b: number): void {
    if (this.#payload.length < MAX_SUBNEGOTIATION) {
      this.#payload.push(b);
      return;
    }
    this.#dropSubnegotiation(`subnegotiation of option ${this.#option} longer than ${MAX_SUBNEGOTIATION} bytes`);
    // What follows is read as data again: an SB that never ends must not eat the stream.
    this.#state = State.Data;
  }

  #dropSubnegotiation(what: string): void {
    this.#payload = [];
    this.#flush();
    this.handler.malformed(what);
  }

  #flush(): void {
    const parts = this.#pending;
    if (parts.length === 0) return;
    this.#pending = [];
    this.handler.data(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  }
}
