import { describe, expect, it } from 'vitest';
import { assertBrowserId, parseCreateBrowser } from '../../../src/daemon/browsers/browser-request.js';

describe('parseCreateBrowser', () => {
  it('accepts the documented fields and drops duplicate kinds', () => {
    expect(parseCreateBrowser({ max_duration_ms: 60_000, record: ['har', 'har', 'screenshots'], metadata: { job: '1' } })).toEqual({
      max_duration_ms: 60_000,
      record: ['har', 'screenshots'],
      metadata: { job: '1' },
    });
    expect(parseCreateBrowser({})).toEqual({});
  });

  it.each([
    [[], /JSON object/],
    [{ max_duration_ms: 999 }, /max_duration_ms must be a whole number from 1000/],
    [{ max_duration_ms: '60s' }, /got "60s"/],
    [{ record: 'har' }, /record must be a list/],
    [{ record: ['video'] }, /"video" is not an artifact kind/],
    [{ metadata: { a: 1 } }, /metadata.a must be a string/],
    [{ board_type: 'virtual' }, /Unknown field 'board_type'/],
  ])('refuses %j', (body, message) => {
    expect(() => parseCreateBrowser(body)).toThrow(message);
  });

  it('refuses oversize metadata with 413', () => {
    expect(() => parseCreateBrowser({ metadata: { a: 'x'.repeat(17_000) } })).toThrow(expect.objectContaining({ code: 'payload_too_large' }));
  });
});

describe('assertBrowserId', () => {
  it('wants a session id', () => {
    expect(assertBrowserId('ses_abcdefghijklmnopqrstuvwx')).toBe('ses_abcdefghijklmnopqrstuvwx');
    expect(() => assertBrowserId(null)).toThrow(/\?id=ses_/);
    expect(() => assertBrowserId('../etc')).toThrow(/not a session id/);
  });
});
