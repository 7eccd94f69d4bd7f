// The built dashboard (dist/ui): read into memory once, gzipped once, served with long caching for hashed assets.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Next to the compiled daemon: dist/daemon/ui/ → dist/ui/. */
export const BUILT_UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer | null;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>fbay</title>
<p>The dashboard has not been built. Run <code>npm run build</code> in the fbay checkout, then <code>fbay ui</code> again.</p>`;

export class StaticFiles {
  #index: string | null = null;
  #assets: Map<string, Asset> | null = null;

  constructor(readonly dir: string = BUILT_UI_DIR) {}

  /** index.html with `head` (meta tags) and `root` (a rendered page) put in, escaped by the caller; a hint page when there is no build. */
  index(head = '', root = ''): string {
    this.#index ??= existsSync(join(this.dir, 'index.html')) ? readFileSync(join(this.dir, 'index.html'), 'utf8') : NOT_BUILT;
    let page = head ? this.#index.replace('<head>', `<head>${head}`) : this.#index;
    // A page drawn here is painted from its own bytes: its stylesheet comes inline, not a request later.
    if (root) page = this.#inlineStyles(page).replace('<div id="root"></div>', `<div id="root">${root}</div>`);
    return page;
  }

  #inlineStyles(page: string): string {
    return page.replace(/<link rel="stylesheet"[^>]*href="\/ui\/assets\/([^"]+\.css)"[^>]*>/g, (link, name: string) => {
      const css = this.#load().get(name)?.body.toString('utf8');
      return css === undefined || /<\/style/i.test(css) ? link : `<style>${css}</style>`;
    });
  }

  /** Answers GET /ui/assets/NAME; false when there is no such file. */
  serveAsset(name: string, req: IncomingMessage, res: ServerResponse): boolean {
    const asset = this.#load().get(name);
    if (!asset) return false;
    const gzip = asset.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? asset.gzip! : asset.body;
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': body.length,
      // Names carry a content hash: a new build is a new name.
      'cache-control': 'public, max-age=31536000, immutable',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  #load(): Map<string, Asset> {
    if (this.#assets) return this.#assets;
    const assets = new Map<string, Asset>();
    const dir = join(this.dir, 'assets');
    for (const name of existsSync(dir) ? readdirSync(dir) : []) {
      const type = TYPES[extname(name)];
      if (!type) continue;
      const body = readFileSync(join(dir, name));
      const compressible = !type.startsWith('image/png') && !type.startsWith('font/');
      assets.set(name, { type, body, gzip: compressible ? gzipSync(body, { level: 9 }) : null });
    }
    this.#assets = assets;
    return assets;
  }
}
