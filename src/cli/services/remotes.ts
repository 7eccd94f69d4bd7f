// `fbay remote`: the other fbay hosts this machine's daemon mirrors sessions from, kept in config.json (0600).
import { ConfigStore } from '../../shared/config-store.js';
import type { RemoteEntryConfig } from '../../shared/config-keys.js';
import type { Account } from '../../transport/protocol/api.js';
import { resolvePaths } from '../../shared/paths.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { CliContext } from '../context.js';
import { reloadDaemon, type ReloadOutcome } from './config.js';

export interface RemoteView {
  name: string;
  url: string;
  key: string;
  ca: string | null;
  default: boolean;
}

const usage = (message: string, next?: string) => new UserError(message, { exit: EXIT.usage, code: 'usage', ...(next ? { next } : {}) });
const NAME = /^[a-z][a-z0-9_-]{0,31}$/;

function store(ctx: Pick<CliContext, 'env'>) {
  return new ConfigStore(resolvePaths(ctx.env));
}

function remotesOf(s: ConfigStore): Record<string, RemoteEntryConfig> {
  return (s.read().remotes ?? {}) as Record<string, RemoteEntryConfig>;
}

export function listRemotes(ctx: Pick<CliContext, 'env'>): RemoteView[] {
  const s = store(ctx);
  const current = s.read().default_remote ?? null;
  return Object.entries(remotesOf(s)).map(([name, r]) => ({ name, url: r.url, key: `${r.key.slice(0, 8)}…`, ca: r.ca ?? null, default: name === current }));
}

export interface AddOptions {
  ca?: string | undefined;
  /** Replace a remote of that name. */
  force?: boolean;
  /** Do not try the host first. */
  check?: boolean;
}

export async function addRemote(ctx: CliContext, name: string, url: string, key: string, options: AddOptions = {}): Promise<RemoteView & ReloadOutcome & { account: Account | null }> {
  const { ca, force = false, check = true } = options;
  if (!NAME.test(name) || name === 'local') throw usage(`A remote's name is a short lowercase word (not 'local'); got '${name}'.`, 'e.g. fbay remote add lab http://lab-pc:7070 --key key_…');
  // Several URLs (coordinators of one database): each checked, kept in order; the first that answers is tried now.
  const origin = url.split(',').map((u) => parseRemoteUrl(u.trim())).join(',');
  if (!/^key_[A-Za-z0-9]{32}$/.test(key)) {
    throw usage(`--key must be an fbay API key: key_ and 32 letters or digits (${key.length} characters given).`, "Copy it as `fbay keys create` printed it on the host.");
  }
  if (ca !== undefined && !ca.startsWith('/')) throw usage(`--ca must be an absolute path to a PEM file; got '${ca}'.`);
  const s = store(ctx);
  const existing = remotesOf(s)[name];
  if (existing && !force) {
    throw new UserError(`There is already a remote named '${name}' (${existing.url}).`, {
      exit: EXIT.conflict,
      code: 'conflict',
      next: `Replace it with --force, or pick another name (see \`fbay remote list\`).`,
    });
  }
  const account = check ? await (await import('./remote-check.js')).checkRemotes(name, origin.split(','), key, ca) : null;
  s.set(`remotes.${name}`, { url: origin, key, ...(ca ? { ca } : {}) });
  return { ...listRemotes(ctx).find((r) => r.name === name)!, account, ...(await reloadDaemon(ctx, 'remotes')) };
}

/** http(s)://HOST[:PORT], nothing more: the API's paths are fbay's own. Returns the origin. */
export function parseRemoteUrl(url: string): string {
  const form = 'http://HOST:PORT or https://HOST:PORT';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usage(`URL must look like ${form}; got '${url}'.`, 'e.g. fbay remote add lab http://lab-pc:7070 --key key_…');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw usage(`URL must be http:// or https://; got '${url}'.`);
  if (parsed.username || parsed.password) throw usage(`URL must not hold a user or password (the key goes in --key); got '${url}'.`);
  if ((parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search || parsed.hash) {
    throw usage(`URL must be ${form}, without a path or query; got '${url}'.`, `Use ${parsed.origin}.`);
  }
  return parsed.origin;
}

export async function removeRemote(ctx: CliContext, name: string): Promise<{ removed: string } & ReloadOutcome> {
  const s = store(ctx);
  if (!Object.hasOwn(remotesOf(s), name)) throw new UserError(`No remote named '${name}'.`, { exit: EXIT.not_found, code: 'not_found', next: 'See them with `fbay remote list`.' });
  s.delete(`remotes.${name}`);
  if (s.read().default_remote === name) s.delete('default_remote');
  return { removed: name, ...(await reloadDaemon(ctx, 'remotes')) };
}

/** Makes NAME the host commands use without --remote; `local` goes back to this machine. */
export async function useRemote(ctx: CliContext, name: string): Promise<{ default_remote: string | null } & ReloadOutcome> {
  const s = store(ctx);
  if (name === 'local') s.delete('default_remote');
  else {
    if (!Object.hasOwn(remotesOf(s), name)) throw new UserError(`No remote named '${name}'.`, { exit: EXIT.not_found, code: 'not_found', next: 'Add it with `fbay remote add NAME URL --key KEY`.' });
    s.set('default_remote', name);
  }
  return { default_remote: name === 'local' ? null : name, ...(await reloadDaemon(ctx, 'default_remote')) };
}
