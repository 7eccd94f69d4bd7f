// Test helper: web pages served on loopback for a real Chromium to load (the machine has no other network).
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

const PAGES: Record<string, [string, string]> = {
  '/': [
    'text/html',
    `<!doctype html><title>fbay test page</title><h1 id="h">hello</h1>
<script>console.log('page-says', 42); fetch('/data.json').then((r) => r.json()).then((d) => { document.getElementById('h').textContent = d.msg; });</script>`,
  ],
  '/data.json': ['application/json', '{"msg":"loaded"}'],
  // One colour edge to edge: a live view of it is that colour wherever it is sampled.
  '/magenta': ['text/html', '<!doctype html><title>fbay magenta page</title><body style="margin:0;height:100vh;background:#d01c8b">'],
  // Random pixels compress badly: a full-page screenshot of this is a CDP message of several MiB.
  '/noise': [
    'text/html',
    `<!doctype html><body style="margin:0"><canvas id="c" width="1200" height="1800"></canvas><script>
const c = document.getElementById('c').getContext('2d'); const img = c.createImageData(1200, 1800);
let x = 12345; for (let i = 0; i < img.data.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; img.data[i] = i % 4 === 3 ? 255 : x & 255; }
c.putImageData(img, 0, 0);</script>`,
  ],
};

export interface PageServer {
  url(path?: string): string;
  close(): Promise<void>;
}

export async function servePages(): Promise<PageServer> {
  const server: Server = createServer((req, res) => {
    const page = PAGES[req.url ?? '/'];
    if (!page) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': page[0] });
    res.end(page[1]);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
