// Small answers of the dashboard server: JSON errors, the cookie, and the script-free pages shown instead of the app.
import type { ServerResponse } from 'node:http';
import { ApiError } from '../../transport/protocol/errors.js';
import { sendError } from '../http/server.js';
import { SESSION_TTL_MS } from './ui-sessions.js';

/** One cookie name per port: cookies are shared by every port of a host, and two dashboards must not overwrite each other. */
export const cookieName = (port: number) => `fbay_ui_${port}`;

export function sessionCookie(port: number, value: string, secure: boolean): string {
  return `${cookieName(port)}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}${secure ? '; Secure' : ''}`;
}

export function clearedCookie(port: number, secure: boolean): string {
  return `${cookieName(port)}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

export function sendApiError(res: ServerResponse, err: ApiError): void {
  res.setHeader('cache-control', 'no-store');
  sendError(res, err);
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A page without script: what to do next, in the dashboard's own stylesheet-free look. */
export function sendPage(res: ServerResponse, status: number, title: string, lines: string[], headers: Record<string, string> = {}): void {
  const body = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="color-scheme" content="light dark"><title>${escape(title)} · fbay</title></head>`,
    `<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40em; margin: 4em auto; padding: 0 1em">`,
    `<h1 style="font-size: 1.4em">${escape(title)}</h1>`,
    ...lines.map((l) => `<p>${escape(l).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`),
    '</body></html>',
  ].join('\n');
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...headers });
  res.end(body);
}

export function sendHtml(res: ServerResponse, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store', ...headers });
  res.end(html);
}

export const metaTag = (name: string, content: string) => `<meta name="${escape(name)}" content="${escape(content)}">`;

export function wrongHost(hosts: string[]): ApiError {
  return new ApiError('forbidden', `This dashboard answers only to ${hosts.slice(0, 6).join(', ')}${hosts.length > 6 ? ', …' : ''}: open it by one of those names (a DNS name teammates use goes in \`fbay config set ui.hosts NAME\`).`);
}
