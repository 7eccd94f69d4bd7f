// Flashing and power (DESIGN §4–5): POST/GET /v1/sessions/{id}/flash and POST …/power, for boards here, boards of
// sessions mirrored from another host, and boards of hosts joined to this coordinator (the host runs them next to
// its board).
import { ApiError } from '../../transport/protocol/errors.js';
import type { FlashJob } from '../../transport/protocol/flash-api.js';
import { HEADERS } from '../../transport/protocol/headers.js';
import { API, ROUTES } from '../../transport/protocol/paths.js';
import { FlashQuery, PowerBody } from '../../transport/protocol/schemas/flash.js';
import type { DaemonParts } from '../compose.js';
import { COMMAND_UPLOAD_LIMIT } from '../flash/job-plan.js';
import { declaredImages, OCTET_STREAM, readImages } from '../flash/flash-upload.js';
import type { ApiRequest, Route } from '../http/router.js';
import { expectsContinue } from '../http/server.js';
import type { BoardRecord } from '../providers/board/board-record.js';
import { body, idParam, query } from './request.js';
import { targetHost, type RemoteRouting } from './remote-target.js';

type FlashParts = Pick<DaemonParts, 'core' | 'flashes' | 'mirrorFlash' | 'joinedFlash' | 'power' | 'joinedPower'>;

/** The upload as it came, for the host to check (a mirror cannot know the host's board's flash). */
async function rawUpload(r: ApiRequest): Promise<{ body: Buffer; headers: Record<string, string> }> {
  const req = r.req;
  const inputs = await upload(r, declared(r, COMMAND_UPLOAD_LIMIT));
  return { body: Buffer.concat(inputs.map((i) => i.data)), headers: { 'content-type': OCTET_STREAM, [HEADERS.flashImages]: String(req.headers[HEADERS.flashImages]) } };
}

/** The images themselves, asked for (`100 Continue`) only now that the headers have passed. */
function upload(r: ApiRequest, images: ReturnType<typeof declaredImages>): ReturnType<typeof readImages> {
  if (expectsContinue(r.req)) r.res.writeContinue();
  return readImages(r.req, images);
}

/** The images the request says it carries; a refusal closes the connection once answered, the body never read. */
function declared(r: ApiRequest, limit: number): ReturnType<typeof declaredImages> {
  try {
    return declaredImages(r.req, limit);
  } catch (err) {
    r.res.once('finish', () => r.req.socket.end());
    throw err;
  }
}

export function flashRoutes({ core, flashes, mirrorFlash, joinedFlash, power, joinedPower }: FlashParts, remotes?: RemoteRouting): Route[] {
  /** The caller's session here (or its mirror), or a session on the named remote this daemon does not mirror. */
  const target = (r: ApiRequest): { s: BoardRecord } | { host: string; id: string } => {
    const id = idParam(r);
    const host = typeof r.req.headers[HEADERS.remote] === 'string' ? targetHost(r, remotes) : null;
    if (host && !core.list(r.account, { all: true }).some((s) => s.id === id)) return { host, id };
    return { s: core.find(r.account, id, 'board') as BoardRecord };
  };
  const search = (r: ApiRequest) => r.url.search;
  return [
    {
      method: 'POST',
      path: ROUTES.flash,
      summary: `Flash images onto the board: the files end to end as ${OCTET_STREAM}, described by the ${HEADERS.flashImages} header → 202 with the job.`,
      query: FlashQuery,
      asksForBody: true,
      handler: async (r) => {
        const q = query(r, FlashQuery);
        const t = target(r);
        if ('host' in t) {
          const up = await rawUpload(r);
          const { status, body: job } = await remotes!.hosts.client(t.host).json<FlashJob>('POST', `${API.flash(t.id)}${search(r)}`, { raw: up.body, headers: up.headers, timeoutMs: 120_000 });
          return { status, body: job };
        }
        const { s } = t;
        if (s.host) {
          if (mirrorFlash.running(s.id)) throw new ApiError('flash_in_progress', `Session ${s.id}'s board is already being flashed; wait for that flash to finish.`);
          if (!core.isLive(s)) throw new ApiError('not_found', `Session ${s.id} has ended (${s.end_reason}); only a live session's board can be flashed.`);
          const up = await rawUpload(r);
          return { status: 202, body: await mirrorFlash.start(s, up.body, up.headers, search(r)) };
        }
        // Everything that can be refused is refused before a byte of the images is read; a joined host's board too.
        const jobs = s.board_host ? joinedFlash : flashes;
        const how = jobs.prepare(s);
        const images = declared(r, how.limit);
        const inputs = await upload(r, images);
        const job = await jobs.start(s, inputs, { verify: q.verify ?? true, eraseAll: q.erase_all ?? false, force: q.force ?? false, ...(q.baud ? { baud: q.baud } : {}) });
        return { status: 202, body: job };
      },
    },
    {
      method: 'GET',
      path: ROUTES.flash,
      summary: "The session's latest flash job: progress while it runs, then how it ended.",
      handler: async (r) => {
        const t = target(r);
        const job =
          'host' in t
            ? (await remotes!.hosts.client(t.host).json<FlashJob>('GET', API.flash(t.id), { retry: true })).body
            : t.s.host
              ? await mirrorFlash.latest(t.s)
              : t.s.board_host
                ? await joinedFlash.latest(t.s)
                : flashes.latest(t.s.id);
        if (!job) throw new ApiError('not_found', `Session ${'host' in t ? t.id : t.s.id} has not been flashed yet; flash it with \`fbay flash FILE\`.`);
        return { status: 200, body: job };
      },
    },
    {
      method: 'POST',
      path: ROUTES.power,
      summary: "Switch the board's power off, on, or cycle it, from its config entry's power (or a virtual board's).",
      body: PowerBody,
      handler: async (r) => {
        const { action } = await body(r, PowerBody);
        const t = target(r);
        const host = 'host' in t ? t.host : t.s.host;
        if (host) {
          const id = 'host' in t ? t.id : t.s.id;
          return { status: 200, body: (await remotes!.hosts.client(host).json('POST', API.power(id), { body: { action }, timeoutMs: 60_000 })).body };
        }
        const { s } = t as { s: BoardRecord };
        return { status: 200, body: await (s.board_host ? joinedPower : power).run(s, action) };
      },
    },
  ];
}
