import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/shared/user-error.js';
import { idAndValue, parseEol, parseOffset, planSend, unescapeText } from '../../../src/cli/services/serial-input.js';

const usageError = (fn: () => unknown, quoted?: string) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exit).toBe(2);
    if (quoted) expect((err as UserError).message).toContain(quoted);
    return;
  }
  throw new Error('expected a usage error');
};

describe('--eol', () => {
  it('takes none, cr, lf and crlf, and refuses anything else quoting it', () => {
    expect(['none', 'cr', 'lf', 'crlf'].map(parseEol)).toEqual(['none', 'cr', 'lf', 'crlf']);
    usageError(() => parseEol('CR'), "'CR'");
    usageError(() => parseEol('toString'), "'toString'");
  });
});

describe('TEXT escapes', () => {
  it('turns C-style escapes into bytes; \\xHH is one raw byte, \\u is UTF-8', () => {
    expect([...unescapeText('a\\r\\n\\t\\e[0m\\0\\\\\\"')]).toEqual([...Buffer.from('a\r\n\t\x1b[0m\0\\"', 'latin1')]);
    expect([...unescapeText('\\x00\\xff\\xFe')]).toEqual([0x00, 0xff, 0xfe]);
    expect(unescapeText('caf\\u00e9 \\u{1F600}').toString('utf8')).toBe('café 😀');
    expect(unescapeText('plain é').toString('utf8')).toBe('plain é');
  });

  it('refuses an unknown or cut-off escape, quoting it', () => {
    usageError(() => unescapeText('bad \\q'), "'\\q'");
    usageError(() => unescapeText('\\x4'), "'\\x4'");
    usageError(() => unescapeText('\\u12'), "'\\u12'");
    usageError(() => unescapeText('\\u{110000}'));
    usageError(() => unescapeText('ends in \\'));
  });
});

describe('what send sends', () => {
  it('adds CR after TEXT and nothing after a file by default; --eol overrides both', () => {
    expect(planSend('echo hi', {})).toEqual({ source: { text: Buffer.from('echo hi') }, eol: Buffer.from('\r') });
    expect(planSend(undefined, { file: 'f.bin' })).toEqual({ source: { file: 'f.bin' }, eol: Buffer.alloc(0) });
    expect(planSend('x', { eol: 'crlf' }).eol).toEqual(Buffer.from('\r\n'));
    expect(planSend(undefined, { file: 'f', eol: 'lf' }).eol).toEqual(Buffer.from('\n'));
    expect(planSend('\\r', {}).source).toEqual({ text: Buffer.from('\\r') });
    expect(planSend('\\r', { escapes: true }).source).toEqual({ text: Buffer.from('\r') });
  });

  it('wants exactly one of TEXT and --file, and escapes only in TEXT', () => {
    usageError(() => planSend(undefined, {}));
    usageError(() => planSend('x', { file: 'f' }));
    usageError(() => planSend(undefined, { file: 'f', escapes: true }), '--escapes');
    usageError(() => planSend('x', { eol: 'nl' }), "'nl'");
  });
});

describe('positionals and offsets', () => {
  it('reads a lone positional as the value, two as ID and value, and one beside --file as the ID', () => {
    expect(idAndValue('echo hi', undefined, false)).toEqual({ value: 'echo hi' });
    expect(idAndValue('ses_x', 'echo hi', false)).toEqual({ id: 'ses_x', value: 'echo hi' });
    expect(idAndValue(undefined, undefined, false)).toEqual({});
    expect(idAndValue('ses_x', undefined, true)).toEqual({ id: 'ses_x' });
    usageError(() => idAndValue('ses_x', 'text', true));
  });

  it('takes whole byte offsets only', () => {
    expect(parseOffset('0')).toBe(0);
    expect(parseOffset('1048576')).toBe(1048576);
    for (const bad of ['-1', '1.5', 'x', '', '99999999999999999999']) usageError(() => parseOffset(bad), '--since');
  });
});
