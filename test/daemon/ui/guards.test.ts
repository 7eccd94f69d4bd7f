import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cookieOf, HostAllowlist, listenHosts, loopbackHosts } from '../../../src/daemon/ui/guards.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('HostAllowlist', () => {
  const hosts = new HostAllowlist(loopbackHosts(4567));

  it('answers to the loopback names with its port only', () => {
    for (const host of ['127.0.0.1:4567', 'localhost:4567', '[::1]:4567', 'LOCALHOST:4567']) expect(hosts.allows(req({ host }))).toBe(true);
    for (const host of ['evil.example', 'evil.example:4567', '127.0.0.1:80', '127.0.0.1', '']) expect(hosts.allows(req({ host }))).toBe(false);
    expect(hosts.allows(req({}))).toBe(false);
  });

  it('takes a WebSocket Origin of its own scheme and host only', () => {
    expect(hosts.allowsOrigin('http://127.0.0.1:4567', false)).toBe(true);
    expect(hosts.allowsOrigin('https://127.0.0.1:4567', false)).toBe(false);
    expect(hosts.allowsOrigin('http://evil.example', false)).toBe(false);
    expect(hosts.allowsOrigin('null', false)).toBe(false);
    expect(hosts.allowsOrigin(undefined, false)).toBe(false);
  });
});

describe('listenHosts', () => {
  it('is the listen host with its port, the loopback names and the extra names', () => {
    expect(listenHosts('10.1.2.3', 7070, ['boards.lab.example', 'other:8080'])).toEqual([
      '10.1.2.3:7070',
      '127.0.0.1:7070',
      'localhost:7070',
      '[::1]:7070',
      'boards.lab.example:7070',
      'other:8080',
    ]);
  });

  it('is this machine by name and address for a wildcard listen', () => {
    const hosts = listenHosts('0.0.0.0', 7070);
    expect(hosts).toContain(`${hostname().toLowerCase()}:7070`);
    expect(hosts).toContain('127.0.0.1:7070');
    expect(listenHosts('::', 7070)).toContain('[::1]:7070');
  });
});

describe('cookieOf', () => {
  it('finds one cookie among several', () => {
    expect(cookieOf(req({ cookie: 'a=1; fbay_ui_80=xyz; b=2' }), 'fbay_ui_80')).toBe('xyz');
    expect(cookieOf(req({ cookie: 'fbay_ui_800=xyz' }), 'fbay_ui_80')).toBeUndefined();
    expect(cookieOf(req({}), 'fbay_ui_80')).toBeUndefined();
  });
});
