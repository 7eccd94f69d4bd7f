// `fbay config`: read and write config.json, and tell a running daemon which key changed (never starting one).
import { CONFIG_KEYS, parseConfigValue, tierTable, type FbayConfig } from '../../shared/config-keys.js';
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

export type ReloadOutcome = { daemon: 'reloaded' } | { daemon: 'not_running' } | { daemon: 'failed'; error: UserError };

function store(ctx: Pick<CliContext, 'env'>): ConfigStore {
  return new ConfigStore(resolvePaths(ctx.env));
}

/** The config in effect: stored values over the defaults, with the whole tier table. */
export function effectiveConfig(ctx: Pick<CliContext, 'env'>): Record<string, unknown> {
  const config: FbayConfig = store(ctx).read();
  return {
    ...config,
    account: { balance_credits: null, ...config.account },
    tiers: tierTable(config),
    // API keys are secrets: shown by their first characters only.
    remotes: Object.fromEntries(Object.entries(config.remotes ?? {}).map(([name, r]) => [name, { ...r, key: `${r.key.slice(0, 8)}…` }])),
  };
}

export function getConfig(ctx: Pick<CliContext, 'env'>, key: string): ConfigEntry {
  const value = getPath(effectiveConfig(ctx), key);
  if (value === undefined && !CONFIG_KEYS.some((k) => k.pattern.test(key))) {
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
  const value = parseConfigValue(key, raw);
  store(ctx).set(key, value);
  return { key, value, ...(await reloadDaemon(ctx, key)) };
}

export async function reloadDaemon(ctx: CliContext, key: string): Promise<ReloadOutcome> {
  try {
    await daemonClient(ctx, { autoStart: false }).post('/v1/config/reload', { changed: [key] });
    return { daemon: 'reloaded' };
  } catch (err) {
    if (err instanceof UserError && err.code === 'daemon_not_running') return { daemon: 'not_running' };
    if (err instanceof UserError && err.exit !== EXIT.interrupted) return { daemon: 'failed', error: err };
    throw err;
  }
}
