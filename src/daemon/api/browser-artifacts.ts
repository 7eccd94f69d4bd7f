// GET /v1/browsers/{id}/artifacts/{name}: one of an ended session's files, streamed with its content type; only a
// name its artifacts list, never a path made from the request. A mirrored session's comes from its host.
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { ApiError } from '../../transport/protocol/errors.js';
import { API, ROUTES } from '../../transport/protocol/paths.js';
import type { BrowserHost } from '../browsers/browser-host.js';
import type { ApiRequest, Route } from '../http/router.js';
import type { BrowserRecord } from '../providers/browser/browser-record.js';
import type { SessionCore } from '../sessions/session-core.js';
import { idParam } from './request.js';
import type { RemoteRouting } from './remote-target.js';
import type { RemoteClient } from '../remote/remote-client.js';

const NAME_MAX = 200;

function listed(s: BrowserRecord, name: string): { contentType: string } | null {
  const set = Array.isArray(s.artifacts) ? null : s.artifacts;
  if (!set) return null;
  return [...set.screenshots, set.har, set.recording, set.consoleLogs].find((a) => a !== null && a.name === name) ?? null;
}

async function send(r: ApiRequest, body: Readable, headers: { type: string; bytes: number | null; name: string }): Promise<'streaming'> {
  r.res.writeHead(200, {
    'content-type': headers.type,
    ...(headers.bytes === null ? {} : { 'content-length': String(headers.bytes) }),
    'content-disposition': `attachment; filename="${basename(headers.name)}"`,
    'cache-control': 'no-store',
  });
  await pipeline(body, r.res);
  return 'streaming';
}

/** Where an ended session that ran on a joined host keeps its artifacts: that host, under its id there. */
export type JoinedArtifacts = (s: BrowserRecord) => { client: RemoteClient; id: string } | null;

export function artifactRoutes(core: SessionCore, host: Pick<BrowserHost, 'artifactFile'>, routing?: RemoteRouting, joined?: JoinedArtifacts): Route[] {
  const handler = async (r: ApiRequest): Promise<'streaming'> => {
    const id = idParam(r);
    const name = r.params.file !== undefined ? `screenshots/${r.params.file}` : r.params.name!;
    const s = core.find(r.account, id, 'browser') as BrowserRecord;
    if (name.length > NAME_MAX) throw new ApiError('not_found', `Browser session ${id} has no artifact of a name that long.`);
    if (core.isLive(s)) {
      throw new ApiError('session_conflict', `Browser session ${id} is ${s.state}: its artifacts are written as it ends. End it with \`fbay browser end ${id}\`, then download them.`);
    }
    const artifact = listed(s, name);
    if (!artifact) {
      throw new ApiError('not_found', `Browser session ${id} has no artifact ${JSON.stringify(name)}; its artifacts list names the ones it has.`);
    }
    const elsewhere = joined?.(s);
    if (s.host || elsewhere) {
      if (!elsewhere && !routing) throw new ApiError('upstream_unavailable', `Browser session ${id} ran on ${s.host}, which this daemon cannot reach.`);
      const res = await (elsewhere ? elsewhere.client.download(API.artifact(elsewhere.id, name)) : routing!.hosts.client(s.host!).download(API.artifact(id, name)));
      const length = Number(res.headers['content-length']);
      return send(r, res.body, { type: String(res.headers['content-type'] ?? artifact.contentType), bytes: Number.isFinite(length) ? length : null, name });
    }
    const path = host.artifactFile(id, name);
    return send(r, createReadStream(path), { type: artifact.contentType, bytes: statSync(path).size, name });
  };
  const summary = "Download one of an ended browser session's artifacts by its name (recording.mp4, network.har, console.log, screenshots/page-N.png).";
  return [
    { method: 'GET', path: ROUTES.artifact, summary, handler },
    { method: 'GET', path: ROUTES.screenshot, summary, handler },
  ];
}
