import { describe, expect, it } from 'vitest';
import { HexDump } from '../../../src/cli/console/hex-dump.js';
import { OutputView, timestamp } from '../../../src/cli/console/output-view.js';

const AT = new Date(2030, 0, 2, 3, 4, 5, 6);
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const text = (out: Buffer | string) => (typeof out === 'string' ? out : out.toString('latin1'));

describe('OutputView', () => {
  it('passes output through untouched (colours, invalid UTF-8 and all) when no view is on', () => {
    const view = new OutputView();
    const chunk = Buffer.from([0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x72, 0x65, 0x64, 0xc3, 0x28, 0xff, 0xfe, 0x0d, 0x0a]);
    expect(view.format(chunk)).toBe(chunk);
    expect(view.atLineStart).toBe(true);
    view.format(Buffer.from('prompt> '));
    expect(view.atLineStart).toBe(false);
  });

  it('hex view shows bytes that are not valid UTF-8 exactly, with offsets and a printable gutter', () => {
    const view = new OutputView();
    expect(view.setHex(true, 0x100)).toBe('');
    const bytes = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xff, 0xfe, 0x41, 0x42, 0x0a, 0x43]);
    const out = text(view.format(bytes));
    expect(out).toBe(
      '00000100  c3 28 a0 a1 e2 28 a1 f0  28 8c bc ff fe 41 42 0a  |.(...(..(....AB.|\r\n' + '00000110  43 ',
    );
    expect(view.atLineStart).toBe(false);
    // Switching the view off ends the cut-off line, padded so its gutter lines up.
    expect(view.setHex(false, 0x111)).toBe(`${' '.repeat(3 * 15 + 1)} |C|\r\n`);
    expect(view.atLineStart).toBe(true);
  });

  it('starts the hex view on a new line when output stopped mid-line', () => {
    const view = new OutputView();
    view.format(Buffer.from('fbay> '));
    expect(view.setHex(true, 6)).toBe('\r\n');
  });

  it('timestamps every line, including one split across chunks, and only at line starts', () => {
    const view = new OutputView(() => AT);
    view.setTimestamps(true);
    expect(strip(text(view.format(Buffer.from('one\r\ntw'))))).toBe('[03:04:05.006] one\r\n[03:04:05.006] tw');
    expect(strip(text(view.format(Buffer.from('o\r\nthree\r\n'))))).toBe('o\r\n[03:04:05.006] three\r\n');
  });

  it('puts the timestamp before each hex line when both are on', () => {
    const view = new OutputView(() => AT);
    view.setTimestamps(true);
    view.setHex(true, 0);
    expect(text(view.format(Buffer.from('A')))).toBe('[03:04:05.006] 00000000  41 ');
  });
});

describe('HexDump', () => {
  it('writes each byte as it comes and finishes the line at 16', () => {
    const dump = new HexDump(0);
    const parts = [...Buffer.from('0123456789abcdefXY')].map((byte) => dump.push(Buffer.of(byte)));
    expect(parts.join('')).toBe('00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\r\n00000010  58 59 ');
    expect(dump.flush()).toBe(`${' '.repeat(3 * 14 + 1)} |XY|\r\n`);
    expect(dump.flush()).toBe('');
  });

  it('formats the time as [HH:MM:SS.mmm]', () => {
    expect(timestamp(AT)).toBe('[03:04:05.006] ');
  });
});
