// The browser create body in the seed's names: every option's unknown fields, wrong types and bad values refused
// with the field and the value; the earlier snake_case names refused with the new one.
import { describe, expect, it } from 'vitest';
import { parseWith, checkMetadataSize } from '../../../../src/transport/protocol/schema-kit.js';
import { BrowserQuery, CreateBrowserBody, refuseRenamed } from '../../../../src/transport/protocol/schemas/browsers.js';

const parse = (body: unknown) => {
  refuseRenamed(body);
  checkMetadataSize(body);
  return parseWith(CreateBrowserBody, body);
};

describe('CreateBrowserBody', () => {
  it('accepts the documented fields, normalizing the proxy', () => {
    const fingerprint = { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Test/1.0', viewport: { width: 1024, height: 640 }, locale: 'de-DE', timezoneId: 'Asia/Tokyo' };
    expect(
      parse({
        maxDurationMs: 60_000,
        recording: true,
        record: ['har', 'screenshots', 'consoleLogs'],
        profile: 'team_a.prod-1',
        proxy: { server: 'proxy.example:3128', username: 'u', password: '', bypass: 'localhost; *.internal ,10.0.0.0/8' },
        fingerprint,
        metadata: { job: '1' },
      }),
    ).toEqual({
      maxDurationMs: 60_000,
      recording: true,
      record: ['har', 'screenshots', 'consoleLogs'],
      profile: 'team_a.prod-1',
      proxy: { server: 'http://proxy.example:3128', username: 'u', password: '', bypass: 'localhost,*.internal,10.0.0.0/8' },
      fingerprint,
      metadata: { job: '1' },
    });
    expect(parse({ proxy: { server: 'socks5://[::1]:1080' }, fingerprint: {} })).toEqual({ proxy: { server: 'socks5://[::1]:1080' }, fingerprint: {} });
    expect(parse({})).toEqual({});
  });

  it.each([
    [[], /JSON object/],
    [{ maxDurationMs: 999 }, /^maxDurationMs must be a whole number from 1000/],
    [{ maxDurationMs: '60s' }, /got "60s"/],
    [{ recording: 'yes' }, /^recording must be true or false; got "yes"\.$/],
    [{ record: 'har' }, /^record must be a list/],
    [{ record: ['video'] }, /"video" is not an artifact kind; use screenshots, har, consoleLogs \(and recording: true for a video\)/],
    [{ metadata: { a: 1 } }, /metadata.a must be a string/],
    [{ board_type: 'virtual' }, /^Unknown field 'board_type'\. Allowed: maxDurationMs, recording, record, profile, proxy, fingerprint, metadata\.$/],
    [{ max_duration_ms: 60_000 }, /^max_duration_ms is now maxDurationMs \(the API speaks the seed's camelCase names\)/],
    [{ record: ['console_log'] }, /^record: "console_log" is now "consoleLogs"/],
    // profile: a key, one directory name, never a path.
    ...['../etc', 'a/b', 'a..b', '..', '.hidden', '-x', '', 'x'.repeat(65), 'a b', 'ü', 'a\0', 7, null].map((p) => [{ profile: p }, /^profile must be a key of 1 to 64 letters, digits/]),
    // proxy: unknown fields, wrong types, credentials in the URL, paths, other schemes, a password alone.
    [{ proxy: 'http://p:1' }, /^proxy must be a JSON object; got "http:\/\/p:1"\.$/],
    [{ proxy: { server: 'p:1', user: 'u' } }, /^Unknown field 'proxy\.user'\. Allowed: server, username, password, bypass\.$/],
    [{ proxy: {} }, /^proxy\.server is required\.$/],
    [{ proxy: { server: 42 } }, /^proxy\.server must be a string .* got 42\.$/],
    [{ proxy: { server: 'http://u:p@p:1' } }, /must not hold credentials/],
    [{ proxy: { server: 'http://p:1/x' } }, /a scheme, a host and a port, nothing more/],
    [{ proxy: { server: 'ftp://p:1' } }, /scheme must be one of http, https, socks4, socks5; got "ftp"/],
    [{ proxy: { server: 'p:1', password: 'x' } }, /^proxy\.password needs proxy\.username too\.$/],
    [{ proxy: { server: 'p:1', username: 'a\nb' } }, /^proxy\.username must be a string of 1 to 256 printable/],
    [{ proxy: { server: 'p:1', username: 'u', password: 7 } }, /^proxy\.password must be a string/],
    [{ proxy: { server: 'p:1', bypass: 'a b' } }, /^proxy\.bypass is a list of hosts/],
    [{ proxy: { server: 'p:1', bypass: 'a,,b' } }, /^proxy\.bypass is a list of hosts/],
    // fingerprint: unknown fields, wrong types, sizes out of range, unknown locales and time zones.
    [{ fingerprint: [] }, /^fingerprint must be a JSON object; got \[\]\.$/],
    [{ fingerprint: { ua: 'x' } }, /^Unknown field 'fingerprint\.ua'\. Allowed: userAgent, viewport, locale, timezoneId\.$/],
    [{ fingerprint: { userAgent: '' } }, /^fingerprint\.userAgent must be a string of 1 to 1024/],
    [{ fingerprint: { userAgent: 'a\r\nX-Evil: 1' } }, /printable ASCII/],
    [{ fingerprint: { viewport: { width: 800 } } }, /^fingerprint\.viewport\.height is required\.$/],
    [{ fingerprint: { viewport: { width: 99999, height: 600 } } }, /^fingerprint\.viewport\.width .* from 200 to 3840; got 99999\.$/],
    [{ fingerprint: { viewport: { width: 800.5, height: 600 } } }, /whole number/],
    [{ fingerprint: { viewport: '800x600' } }, /^fingerprint\.viewport must be a JSON object/],
    [{ fingerprint: { viewport: { width: 800, height: 600, dpr: 2 } } }, /^Unknown field 'fingerprint\.viewport\.dpr'\. Allowed: width, height\.$/],
    [{ fingerprint: { locale: 'not a locale!' } }, /^fingerprint\.locale must be a language tag/],
    [{ fingerprint: { timezoneId: 'Mars/Olympus' } }, /^fingerprint\.timezoneId must be an IANA time zone like Europe\/Berlin; got "Mars\/Olympus"\.$/],
  ] as [unknown, RegExp][])('refuses %j', (body, message) => {
    expect(() => parse(body)).toThrow(message);
  });

  it('refuses oversize metadata with 413', () => {
    expect(() => parse({ metadata: { a: 'x'.repeat(17_000) } })).toThrow(expect.objectContaining({ code: 'payload_too_large' }));
  });
});

describe('BrowserQuery', () => {
  it('wants a session id, and takes timeoutMs (timeout_ms too)', () => {
    expect(parseWith(BrowserQuery, { id: 'ses_abcdefghijklmnopqrstuvwx', wait: 'usable', timeoutMs: '500' })).toEqual({ id: 'ses_abcdefghijklmnopqrstuvwx', wait: 'usable', timeoutMs: 500 });
    expect(parseWith(BrowserQuery, { timeout_ms: '5' })).toEqual({ timeout_ms: 5 });
    expect(() => parseWith(BrowserQuery, { id: '../etc' })).toThrow(/not a session id/);
    expect(() => parseWith(BrowserQuery, { timeoutMs: '99999' })).toThrow(/^timeoutMs must be a whole number from 0 to 25000/);
  });
});
