// Writes docs/openapi.json from a daemon's own /v1/openapi.json (run after `npm run build`: `npm run openapi`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { startDaemon } from '../dist/daemon/daemon.js';
import { resolvePaths } from '../dist/shared/paths.js';

const home = mkdtempSync(join(tmpdir(), 'fbay-openapi-'));
const paths = resolvePaths({ FBAY_HOME: home });
const started = await startDaemon({ paths, log: () => {} });
const doc = await new Promise((resolve, reject) => {
  request({ socketPath: paths.socket, path: '/v1/openapi.json' }, (res) => {
    let text = '';
    res.on('data', (c) => (text += c));
    res.on('end', () => resolve(JSON.parse(text)));
  })
    .on('error', reject)
    .end();
});
await started.running.stop(false);
rmSync(home, { recursive: true, force: true });
writeFileSync(new URL('../docs/openapi.json', import.meta.url), `${JSON.stringify(doc, null, 2)}\n`);
console.log('docs/openapi.json written');
