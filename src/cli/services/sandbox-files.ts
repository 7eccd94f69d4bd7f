// `fbay sandbox files [ID] ls|get|put|rm …`: the operands parsed, and the calls on a sandbox's /workspace (raw bytes
// both ways; a directory comes back as a JSON listing). The daemon keeps every path inside /workspace.
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';
import { API } from '../../transport/protocol/paths.js';
import type { SandboxDirectory } from '../../transport/protocol/sandbox-api.js';
import type { DaemonClient } from '../client/daemon-client.js';

export const FILE_ACTIONS = ['ls', 'get', 'put', 'rm'] as const;
export type FileAction =
  | { action: 'ls'; path: string }
  | { action: 'get'; path: string; dest: string | undefined }
  | { action: 'put'; source: string; path: string }
  | { action: 'rm'; path: string };

const FORMS = 'fbay sandbox files [ID] ls [PATH] | get PATH [DEST] | put SOURCE PATH | rm PATH';
const usage = (message: string) => new UserError(message, { exit: EXIT.usage, code: 'usage', next: `Usage: ${FORMS} (PATH is under /workspace; SOURCE or DEST '-' is stdin or stdout).` });

/** `[ID] ACTION ARGS…` → the sandbox (if named) and what to do. */
export function parseFilesOperands(operands: readonly string[]): { id: string | undefined; op: FileAction } {
  // The actions are fixed words, so a first operand that is not one is the sandbox id.
  const named = operands[0] !== undefined && !(FILE_ACTIONS as readonly string[]).includes(operands[0]);
  const id = named ? operands[0] : undefined;
  const [action, ...args] = named ? operands.slice(1) : operands;
  const count = (min: number, max: number) => {
    if (args.length < min || args.length > max) throw usage(`\`files ${action}\` takes ${min === max ? min : `${min} to ${max}`} path${max === 1 ? '' : 's'}; got ${args.length}.`);
  };
  switch (action) {
    case 'ls':
      count(0, 1);
      return { id, op: { action, path: args[0] ?? '' } };
    case 'get':
      count(1, 2);
      return { id, op: { action, path: args[0]!, dest: args[1] } };
    case 'put':
      count(2, 2);
      return { id, op: { action, source: args[0]!, path: args[1]! } };
    case 'rm':
      count(1, 1);
      return { id, op: { action, path: args[0]! } };
    default:
      throw usage(action === undefined ? 'Say what to do: ls, get, put or rm.' : `'${action}' is not a files action; use ls, get, put or rm.`);
  }
}

/**
 * A path as the user wrote it, relative to /workspace (`/workspace/a` and `a` are the same file). Another absolute
 * path or `..` is refused here, as the daemon would: the URL would otherwise quietly make it a path inside.
 */
export function workspacePath(path: string): string {
  if (path.startsWith('/') && path !== '/workspace' && !path.startsWith('/workspace/')) {
    throw usage(`${path} is outside /workspace; give a path relative to /workspace (or starting with /workspace/).`);
  }
  if (path.split('/').includes('..')) throw usage(`${path} contains "..": give a path inside /workspace without it.`);
  return path.replace(/^\/workspace(\/|$)/, '');
}

export type Listing = { directory: SandboxDirectory } | { file: { path: string; size: number } };

export async function listFiles(client: DaemonClient, id: string, path: string): Promise<Listing> {
  const reply = await client.raw('GET', API.file(encodeURIComponent(id), workspacePath(path)));
  const type = String(reply.headers['content-type'] ?? '');
  if (type.startsWith('application/json')) return { directory: JSON.parse(reply.body.toString('utf8')) as SandboxDirectory };
  return { file: { path: `/workspace/${workspacePath(path)}`, size: reply.body.length } };
}

export async function readFile(client: DaemonClient, id: string, path: string): Promise<Buffer> {
  const reply = await client.raw('GET', API.file(encodeURIComponent(id), workspacePath(path)));
  if (String(reply.headers['content-type'] ?? '').startsWith('application/json')) {
    throw new UserError(`/workspace/${workspacePath(path)} is a directory.`, { exit: EXIT.usage, code: 'usage', next: `List it with \`fbay sandbox files ${id} ls ${path}\`.` });
  }
  return reply.body;
}

export async function writeFile(client: DaemonClient, id: string, path: string, data: Buffer): Promise<{ path: string; size: number }> {
  if (workspacePath(path) === '') throw usage('put needs a file path under /workspace, not /workspace itself.');
  const reply = await client.raw('PUT', API.file(encodeURIComponent(id), workspacePath(path)), data);
  return JSON.parse(reply.body.toString('utf8')) as { path: string; size: number };
}

export async function removeFile(client: DaemonClient, id: string, path: string): Promise<{ path: string; deleted: boolean }> {
  if (workspacePath(path) === '') throw usage('rm needs a path under /workspace, not /workspace itself.');
  const reply = await client.raw('DELETE', API.file(encodeURIComponent(id), workspacePath(path)));
  return JSON.parse(reply.body.toString('utf8')) as { path: string; deleted: boolean };
}
