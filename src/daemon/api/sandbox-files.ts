// GET|PUT|DELETE /v1/sessions/{id}/files/{path}: a sandbox's files under /workspace, as raw bytes (a directory is
// listed as JSON). The host's WorkspaceFiles walks the path itself: `..`, absolute paths and links the sandbox made
// never lead the daemon out of /workspace.
import { ApiError } from '../../transport/protocol/errors.js';
import { ROUTES } from '../../transport/protocol/paths.js';
import type { SandboxDirectory } from '../../transport/protocol/sandbox-api.js';
import { readBody, refuseBody } from '../http/body.js';
import type { ApiRequest, Route } from '../http/router.js';
import type { SandboxSessions } from '../providers/sandbox/sandbox-sessions.js';
import { toHost } from './sandbox-forward.js';

const shown = (path: string) => `/workspace/${path.replace(/^\/?(workspace\/?)?/, '')}`;

export function fileRoutes(sessions: SandboxSessions, named: (r: ApiRequest) => string): Route[] {
  const read = async (r: ApiRequest) => {
    const path = r.params.path ?? '';
    const { box } = await sessions.use(r.account, named(r));
    if (box.files.isDirectory(path)) {
      const body: SandboxDirectory = { path: shown(path), entries: box.files.list(path) };
      return { status: 200, body };
    }
    const data = box.files.read(path);
    r.res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length });
    r.res.end(data);
    return 'streaming' as const;
  };
  return [
    { method: 'GET', path: ROUTES.files, summary: 'List /workspace.', handler: read },
    { method: 'GET', path: ROUTES.file, summary: 'A file under /workspace as raw bytes; a directory as a JSON listing.', handler: read },
    {
      method: 'PUT',
      path: ROUTES.file,
      summary: 'Write a file under /workspace from the raw body (parent directories are made).',
      handler: async (r) => {
        const id = named(r);
        const s = sessions.live(r.account, id);
        const max = s.limits.max_file_bytes;
        const declared = Number(r.req.headers['content-length']);
        if (Number.isFinite(declared) && declared > max) {
          return refuseBody(r.req, new ApiError('payload_too_large', `The file is ${declared} bytes; the ${sessions.planOf(r.account)} plan allows files of at most ${max} bytes. Split it, or write it from an exec.`));
        }
        const data = await readBody(r.req, max);
        if (sessions.joinedOf(s)) {
          sessions.touch(s);
          await sessions.awake(s);
          return toHost(r, s, sessions, data);
        }
        const { box } = await sessions.use(r.account, id);
        box.files.write(r.params.path ?? '', data);
        return { status: 201, body: { path: shown(r.params.path ?? ''), size: data.length } };
      },
    },
    {
      method: 'DELETE',
      path: ROUTES.file,
      summary: 'Delete a file or a directory tree under /workspace (links inside are removed, never followed).',
      handler: async (r) => {
        const { box } = await sessions.use(r.account, named(r));
        box.files.remove(r.params.path ?? '');
        return { status: 200, body: { path: shown(r.params.path ?? ''), deleted: true } };
      },
    },
  ];
}
