// The list of a finished session's files, kept beside them, so a download can name only a file the session produced.
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { ApiError } from '../../../transport/protocol/errors.js';
import type { Artifact, ArtifactSet } from '../browser-host.js';

const MANIFEST = 'artifacts.json';

export const EMPTY_ARTIFACTS: ArtifactSet = { screenshots: [], har: null, recording: null, consoleLogs: null };

export function artifactList(set: ArtifactSet): Artifact[] {
  return [...set.screenshots, ...[set.har, set.recording, set.consoleLogs].filter((a) => a !== null)];
}

export function writeManifest(dir: string, set: ArtifactSet): void {
  if (artifactList(set).length === 0) return;
  writeFileSync(join(dir, MANIFEST), JSON.stringify(set), { mode: 0o600 });
}

/** The path of the artifact called `name` in `dir`, or a 404 ApiError when the session has no such artifact. */
export function artifactPath(dir: string, id: string, name: string): string {
  const missing = () =>
    new ApiError('not_found', `Browser session ${id} has no artifact ${JSON.stringify(name).slice(0, 80)}; its artifacts list names the ones it has.`);
  let set: ArtifactSet;
  try {
    set = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as ArtifactSet;
  } catch {
    throw missing();
  }
  // Only a name the manifest lists, never a path made from the request: no traversal, no other file of the dir.
  const artifact = artifactList(set).find((a) => a.name === name);
  if (!artifact) throw missing();
  const path = join(dir, artifact.name);
  if (!existsSync(path)) throw missing();
  const real = realpathSync(path);
  if (!real.startsWith(realpathSync(dir) + sep)) throw missing();
  return real;
}
