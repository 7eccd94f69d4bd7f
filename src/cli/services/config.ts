// `fbay config`: read and write config.json, and tell a running daemon which key changed (never starting one).
import { existsSync } from 'node:fs';
import { parseConfigValue, specFor, tierTable, type FbayConfig } from '../../shared/config-keys.js';
import { ConfigStore, getPath } from '../../shared/config-store.js';
import { resolvePaths } from '../../shared/paths.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { CliContext } from '../context.js';
import { daemonClient } from '../client/connect.js';

export interface ConfigEntry {
  key: string;
  value: unknown;
}

/** `notices`: what the daemon says the change does to live sessions (a board taken away); `problems`: config.json's. */
export type ReloadOutcome = { daemon: 'reloaded'; notices?: string[]; problems?: string[] } | { daemon: 'not_running' } | { daemon: 'failed'; error: UserError };

function store(ctx: Pick<CliContext, 'env'>): ConfigStore {
  return new ConfigStore(resolvePaths(ctx.env));
}

/** The config in effect: stored values over the defaults, with the whole tier table. */
export function effectiveConfig(ctx: Pick<CliContext, 'env'>): Record<string, unknown> {
  const config: FbayConfig = store(ctx).read();
  return {
    ...config,
    default_remote: config.default_remote ?? null,
    account: { balance_credits: null, ...config.account },
    tiers: tierTable(config),
    // API keys are secrets: shown by their first characters only.
    remotes: Object.fromEntries(Object.entries(config.remotes ?? {}).map(([name, r]) => [name, { ...r, key: `${r.key.slice(0, 8)}…` }])),
  };
}

/** Keys the CLI itself handles: `default_remote` is written by `fbay remote use`, and checked against the remotes. */
const CLI_KEYS = new Set(['default_remote']);

/** Keys the daemon reads only when it starts: a new listen address, TLS files, the browser profiles' directory. */
export const RESTART_KEYS = /^(listen|tls\.(cert|key)|browsers\.profile_dir)$/;

export function getConfig(ctx: Pick<CliContext, 'env'>, key: string): ConfigEntry {
  const value = getPath(effectiveConfig(ctx), key);
  if (value === undefined && !CLI_KEYS.has(key) && !specFor(key)) {
    throw new UserError(`Unknown config key '${key}'.`, {
      exit: EXIT.usage,
      code: 'usage',
      next: 'Run `fbay config list` to see the keys.',
    });
  }
  return { key, value: value ?? null };
}

/** Validates and saves the value; a running daemon is then told to reload that key. */
export async function setConfig(ctx: CliContext, key: string, raw: string): Promise<ConfigEntry & ReloadOutcome> {
  if (key === 'default_remote') {
    // The same as `fbay remote use`: the name must be a remote's; 'local' or 'none' is this machine.
    const { useRemote } = await import('./remotes.js');
    const used = await useRemote(ctx, raw === 'none' || raw === 'null' ? 'local' : raw);
    return { key, value: used.default_remote, ...used };
  }
  const value = parseConfigValue(key, raw, store(ctx).read());
  if ((key === 'tls.cert' || key === 'tls.key') && typeof value === 'string' && !existsSync(value)) {
    throw new UserError(`${key}: there is no file at ${value}.`, { exit: EXIT.usage, code: 'usage', next: `Give the path of an existing PEM file: fbay config set ${key} /path/to/${key === 'tls.cert' ? 'cert' : 'key'}.pem` });
  }
  store(ctx).set(key, value);
  return { key, value, ...(await reloadDaemon(ctx, key)) };
}

export async function reloadDaemon(ctx: CliContext, key: string): Promise<ReloadOutcome> {
  try {
    const said = await daemonClient(ctx, { autoStart: false }).post<{ notices?: string[]; problems?: string[] } | undefined>('/v1/config/reload', { changed: [key] });
    return { daemon: 'reloaded', ...(said?.notices?.length ? { notices: said.notices } : {}), ...(said?.problems?.length ? { problems: said.problems } : {}) };
  } catch (err) {
    if (err instanceof UserError && err.code === 'daemon_not_running') return { daemon: 'not_running' };
    if (err instanceof UserError && err.exit !== EXIT.interrupted) return { daemon: 'failed', error: err };
    throw err;
  }
}
