// A Unix socket a child process connects back to, so a test knows, by an event, that the child is up and what it said.
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface ChildLink {
  path: string;
  /** Resolves when the child has connected. */
  connected(): Promise<Socket>;
  /** Everything the child wrote, once it has closed its end. */
  said(socket: Socket): Promise<string>;
  close(): Promise<void>;
}

export async function childLink(): Promise<ChildLink> {
  const dir = mkdtempSync('/tmp/fbay-c-');
  const path = join(dir, 'link.sock');
  const server = createServer();
  server.listen(path);
  await once(server, 'listening');
  return {
    path,
    connected: () => once(server, 'connection').then(([socket]) => socket as Socket),
    said: async (socket) => {
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      await once(socket, 'close');
      return text;
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A node one-liner that connects to the link, runs `body` with `s` as the socket, and keeps running until told. */
export function linkedChild(path: string, body: string): string[] {
  return ['-e', `const s = require('net').connect(${JSON.stringify(path)}); s.on('connect', () => { ${body} }); setInterval(() => {}, 60000);`];
}
