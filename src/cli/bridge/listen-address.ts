// `[HOST:]PORT` for the bridge's listener: loopback unless a host is given; port 0 lets the OS pick one.
import { isIP } from 'node:net';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../shared/exit-codes.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export const LOOPBACK = '127.0.0.1';

export function parseListenAddress(text: string, flag = '--rfc2217'): ListenAddress {
  const bad = (why: string) =>
    new UserError(`${flag} takes [HOST:]PORT; got '${text}': ${why}.`, {
      exit: EXIT.usage,
      code: 'usage',
      next: `For example: ${flag} 4000 (loopback), ${flag} 0 (any free port), ${flag} 0.0.0.0:4000 (every interface).`,
    });
  const m = /^(?:(?:\[([^\]]+)\]|([^:[\]]*)):)?(\d+)$/.exec(text);
  if (!m) throw bad(text === '' || text.endsWith(':') ? 'no port' : 'the port must be a number (an IPv6 host goes in brackets: [::1]:4000)');
  const host = m[1] ?? m[2] ?? '';
  const port = Number(m[3]);
  if (port > 65535) throw bad('the port must be from 0 to 65535');
  if (m[1] !== undefined && isIP(host) !== 6) throw bad(`'${host}' in brackets is not an IPv6 address`);
  return { host: host === '' ? LOOPBACK : host, port };
}

/** Whether only this machine can reach the address. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** The pyserial URL of a bound address: `rfc2217://127.0.0.1:4000`, `rfc2217://[::1]:4000`. */
export function rfc2217Url(host: string, port: number): string {
  return `rfc2217://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
