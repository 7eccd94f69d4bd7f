// The dashboard's checks on every request: the Host allowlist (DNS rebinding), the Origin of WebSockets, the headers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

export const CSRF_HEADER = 'x-fbay-csrf';

/**
 * No inline script anywhere; styles may be inline because xterm.js sizes and colours its rows with <style> elements it
 * creates at run time. `connect-src 'self'` covers the page's own ws:// and wss:// origin.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

const bracket = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

/** The Host values a loopback dashboard on `port` answers to. */
export function loopbackHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}

/**
 * The Host values a `--listen HOST:PORT` dashboard answers to: that host (for a wildcard address, this machine's
 * name and addresses), the loopback names, and any `ui.hosts` from config (a DNS name teammates use).
 */
export function listenHosts(host: string, port: number, extra: string[] = []): string[] {
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  const names = wildcard ? [hostname(), ...interfaceAddresses()] : [host];
  const withPort = (h: string) => (/^(\[[^\]]+\]|[^:]+):\d+$/.test(h) ? h : `${bracket(h)}:${port}`);
  return [...new Set([...names.map(withPort), ...loopbackHosts(port), ...extra.map(withPort)].map((h) => h.toLowerCase()))];
}

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
}

export class HostAllowlist {
  readonly #hosts: Set<string>;

  constructor(hosts: string[]) {
    this.#hosts = new Set(hosts.map((h) => h.toLowerCase()));
  }

  get hosts(): string[] {
    return [...this.#hosts];
  }

  /** A request whose Host is not ours was sent by a page on another name (DNS rebinding) or a confused proxy. */
  allows(req: IncomingMessage): boolean {
    const host = req.headers.host?.toLowerCase();
    return host !== undefined && this.#hosts.has(host);
  }

  /** A browser sends Origin on every WebSocket handshake: it must be this dashboard's own (scheme and host). */
  allowsOrigin(origin: string | undefined, secure: boolean): boolean {
    if (origin === undefined) return false;
    try {
      const url = new URL(origin);
      return url.protocol === (secure ? 'https:' : 'http:') && this.#hosts.has(url.host.toLowerCase());
    } catch {
      return false;
    }
  }
}

/** The value of one cookie, or undefined. */
export function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
