import { describe, expect, it } from 'vitest';
import { isLoopback, parseListenAddress, rfc2217Url } from '../../../src/cli/bridge/listen-address.js';
import { UserError } from '../../../src/shared/user-error.js';

describe('parseListenAddress', () => {
  it('takes PORT (loopback), HOST:PORT and [IPv6]:PORT', () => {
    expect(parseListenAddress('4000')).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(parseListenAddress('0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('0.0.0.0:4000')).toEqual({ host: '0.0.0.0', port: 4000 });
    expect(parseListenAddress('localhost:4000')).toEqual({ host: 'localhost', port: 4000 });
    expect(parseListenAddress('[::1]:4000')).toEqual({ host: '::1', port: 4000 });
  });

  it('refuses what is not [HOST:]PORT with a usage error that shows the forms', () => {
    for (const bad of ['', 'abc', '70000', 'host:', ':4000x', '::1:4000', '[nope]:4000']) {
      const err = (() => {
        try {
          parseListenAddress(bad);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err, bad).toBeInstanceOf(UserError);
      expect((err as UserError).exit).toBe(2);
      expect((err as UserError).message).toContain(`got '${bad}'`);
      expect((err as UserError).next).toMatch(/--rfc2217 4000/);
    }
  });

  it('writes the URL pyserial takes, IPv6 in brackets, and tells loopback from the rest', () => {
    expect(rfc2217Url('127.0.0.1', 4000)).toBe('rfc2217://127.0.0.1:4000');
    expect(rfc2217Url('::1', 4000)).toBe('rfc2217://[::1]:4000');
    expect(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost')).toBe(true);
    expect(isLoopback('0.0.0.0') || isLoopback('192.168.1.2')).toBe(false);
  });
});
