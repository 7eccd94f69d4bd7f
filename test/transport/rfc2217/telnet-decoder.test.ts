import { describe, expect, it } from 'vitest';
import { MAX_SUBNEGOTIATION, TelnetDecoder } from '../../../src/transport/rfc2217/telnet-decoder.js';
import { escapeIac, subnegotiation } from '../../../src/transport/rfc2217/telnet-encode.js';
import { COM_PORT_OPTION, DO, IAC, SB, SE, WILL } from '../../../src/transport/rfc2217/telnet-codes.js';

type Event = ['data', number[]] | ['neg', number, number] | ['sb', number, number[]] | ['cmd', number] | ['bad', string];

function decoder() {
  const events: Event[] = [];
  const d = new TelnetDecoder({
    data: (b) => {
      const last = events.at(-1);
      // Adjacent data events are one stream: merge them, so splitting tests compare streams, not chunking.
      if (last?.[0] === 'data') last[1].push(...b);
      else events.push(['data', [...b]]);
    },
    negotiate: (verb, option) => events.push(['neg', verb, option]),
    subnegotiation: (option, payload) => events.push(['sb', option, [...payload]]),
    command: (code) => events.push(['cmd', code]),
    malformed: (what) => events.push(['bad', what]),
  });
  return { d, events };
}

/** Feeds the bytes one split at a time and checks every split decodes the same. */
function decodeEverySplit(bytes: Buffer): Event[] {
  const whole = decoder();
  whole.d.push(bytes);
  for (let cut = 1; cut < bytes.length; cut++) {
    const split = decoder();
    split.d.push(bytes.subarray(0, cut));
    split.d.push(bytes.subarray(cut));
    expect(split.events, `split at ${cut}`).toEqual(whole.events);
  }
  const bytewise = decoder();
  for (const b of bytes) bytewise.d.push(Buffer.of(b));
  expect(bytewise.events).toEqual(whole.events);
  return whole.events;
}

describe('TelnetDecoder', () => {
  it('passes data through unchanged, as the same buffer when it holds no IAC', () => {
    const seen: Buffer[] = [];
    const d = new TelnetDecoder({ data: (b) => seen.push(b), negotiate: () => {}, subnegotiation: () => {}, command: () => {}, malformed: () => {} });
    const chunk = Buffer.from('help\r');
    d.push(chunk);
    expect(seen).toEqual([chunk]);
    expect(seen[0]).toBe(chunk);
  });

  it('turns IAC IAC back into one 0xFF, however the packets are split', () => {
    const payload = Buffer.from([0x00, 0xff, 0xff, 0x10, 0xff, 0x7f]);
    expect(decodeEverySplit(escapeIac(payload))).toEqual([['data', [...payload]]]);
  });

  it('keeps data, negotiations and subnegotiations in their order across any split', () => {
    const bytes = Buffer.concat([
      Buffer.from('ab'),
      Buffer.of(IAC, WILL, COM_PORT_OPTION),
      Buffer.from('c'),
      subnegotiation(COM_PORT_OPTION, Buffer.of(1, 0, 0x01, 0xc2, 0x00)),
      subnegotiation(COM_PORT_OPTION, Buffer.of(0, 0xff, 0x41)), // a 0xFF inside the payload, escaped
      Buffer.of(IAC, 241), // NOP
      Buffer.from('d'),
    ]);
    expect(decodeEverySplit(bytes)).toEqual([
      ['data', [0x61, 0x62]],
      ['neg', WILL, COM_PORT_OPTION],
      ['data', [0x63]],
      ['sb', COM_PORT_OPTION, [1, 0, 0x01, 0xc2, 0x00]],
      ['sb', COM_PORT_OPTION, [0, 0xff, 0x41]],
      ['cmd', 241],
      ['data', [0x64]],
    ]);
  });

  it('drops garbage and reads on: a stray SE, IAC with a non-command, an SB cut short by a negotiation', () => {
    const bytes = Buffer.concat([
      Buffer.of(IAC, SE),
      Buffer.from('x'),
      Buffer.of(IAC, 7),
      Buffer.of(IAC, SB, COM_PORT_OPTION, 5, IAC, DO, 3), // the SE never came
      Buffer.from('y'),
    ]);
    const events = decodeEverySplit(bytes);
    expect(events.map((e) => e[0])).toEqual(['bad', 'data', 'bad', 'bad', 'neg', 'data']);
    expect(events[4]).toEqual(['neg', DO, 3]);
    expect(events[5]).toEqual(['data', [0x79]]);
  });

  it('gives up on a subnegotiation that never ends instead of swallowing the stream', () => {
    const { d, events } = decoder();
    d.push(Buffer.of(IAC, SB, COM_PORT_OPTION));
    d.push(Buffer.alloc(MAX_SUBNEGOTIATION + 1, 0x41));
    d.push(Buffer.from('after'));
    expect(events[0]![0]).toBe('bad');
    expect(events[1]).toEqual(['data', [...Buffer.from('after')]]);
  });

  it('decodes a long random stream of data and commands to exactly the data that was escaped', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256);
    const data = Buffer.from(Array.from({ length: 20_000 }, rand));
    const parts: Buffer[] = [];
    for (let at = 0; at < data.length; at += 997) {
      parts.push(escapeIac(data.subarray(at, at + 997)));
      parts.push(subnegotiation(COM_PORT_OPTION, Buffer.of(5, 8)));
    }
    const wire = Buffer.concat(parts);
    const { d, events } = decoder();
    for (let at = 0; at < wire.length; at += 61) d.push(wire.subarray(at, at + 61));
    const got = Buffer.from(events.flatMap((e) => (e[0] === 'data' ? e[1] : [])));
    expect(got.equals(data)).toBe(true);
    expect(events.filter((e) => e[0] === 'sb')).toHaveLength(parts.length / 2);
    expect(events.some((e) => e[0] === 'bad')).toBe(false);
  });
});
