// A plain HTTP client for the dashboard tests: any Host, Cookie or Origin header, the raw answer back.
import { request } from 'node:http';
import { once } from 'node:events';
import WebSocket from 'ws';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export function http(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false, headers: { host: `127.0.0.1:${port}`, ...(payload ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The cookie a login answer set, as a Cookie header value. */
export function cookieFrom(answer: Answer): string {
  const set = answer.headers['set-cookie'];
  const first = Array.isArray(set) ? set[0]! : String(set);
  return first.split(';')[0]!;
}

export const csrfFrom = (html: string) => /<meta name="fbay-csrf" content="([^"]+)">/.exec(html)?.[1] ?? '';

/** Opens a WebSocket; resolves with it once open, or with the HTTP status it was refused with. */
export async function tryWs(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; first: Promise<string> } | { refused: number }> {
  const ws = new WebSocket(url, { headers });
  // Listened for from the start: a first frame can come in the same read as the handshake.
  const first = new Promise<string>((resolve) => ws.once('message', (d: Buffer) => resolve(d.toString())));
  const refused = new Promise<number>((resolve) => ws.once('unexpected-response', (_req, res) => (res.resume(), resolve(res.statusCode!))));
  const opened = once(ws, 'open').then(() => 'open' as const);
  const result = await Promise.race([opened, refused]);
  if (result === 'open') return { ws, first };
  ws.on('error', () => undefined);
  return { refused: result };
}
