// `fbay browser artifacts ID [--out DIR]`: every file an ended session produced, downloaded through the daemon (which
// passes a mirrored session's on from its host) into DIR under the artifacts' own names.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../../shared/user-error.js';
import { isLiveBrowserState, type BrowserArtifact, type BrowserSession } from '../../transport/protocol/browser-api.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { getBrowser } from './browsers.js';

/** What a host may name an artifact: one file, or one in `screenshots/`. A name from elsewhere is not written. */
const SAFE_NAME = /^(screenshots\/)?[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface DownloadedArtifacts {
  id: string;
  dir: string;
  files: { name: string; path: string; bytes: number; contentType: string }[];
}

export function artifactList(s: BrowserSession): BrowserArtifact[] {
  const a = s.artifacts;
  return [...a.screenshots, ...[a.recording, a.har, a.consoleLogs].filter((x) => x !== null)];
}

export async function downloadArtifacts(client: DaemonClient, id: string, out: string | undefined): Promise<DownloadedArtifacts> {
  const s = await getBrowser(client, id);
  if (isLiveBrowserState(s.status)) {
    throw new UserError(`Browser session ${id} is ${s.status}: its artifacts are written as it ends.`, {
      exit: EXIT.conflict,
      code: 'session_conflict',
      next: `End it first with \`fbay browser end ${id}\`, then run this again.`,
    });
  }
  const dir = resolve(out ?? id);
  const files: DownloadedArtifacts['files'] = [];
  for (const a of artifactList(s)) {
    const path = join(dir, a.name);
    if (!SAFE_NAME.test(a.name) || !path.startsWith(dir + sep)) {
      throw new UserError(`The daemon named an artifact ${JSON.stringify(a.name).slice(0, 80)}, which is not a file name fbay writes; nothing more was downloaded.`, { code: 'bad_artifact' });
    }
    mkdirSync(dirname(path), { recursive: true });
    const res = await client.download(a.url);
    let bytes = 0;
    res.on('data', (chunk: Buffer) => (bytes += chunk.length));
    await pipeline(res, createWriteStream(path, { mode: 0o600 }));
    files.push({ name: a.name, path, bytes, contentType: a.contentType });
  }
  return { id, dir, files };
}
