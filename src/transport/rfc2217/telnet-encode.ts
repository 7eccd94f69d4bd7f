// Telnet on the way out: data with every 0xFF doubled, negotiations, and subnegotiations with their payload escaped.
import { IAC, SB, SE, type Verb } from './telnet-codes.js';

/** The data as it goes on a Telnet connection: each 0xFF sent as IAC IAC. Returns the same buffer when there is none. */
export function escapeIac(data: Buffer): Buffer {
  let at = data.indexOf(IAC);
  if (at < 0) return data;
  let count = 0;
  for (; at >= 0; at = data.indexOf(IAC, at + 1)) count++;
  const out = Buffer.allocUnsafe(data.length + count);
  let o = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    out[o++] = b;
    if (b === IAC) out[o++] = IAC;
  }
  return out;
}

export function negotiation(verb: Verb, option: number): Buffer {
  return Buffer.of(IAC, verb, option);
}

export function subnegotiation(option: number, payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.of(IAC, SB, option), escapeIac(Buffer.from(payload)), Buffer.of(IAC, SE)]);
}
