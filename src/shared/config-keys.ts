// The config keys fbay knows: the shape and defaults of config.json, and parsing a value typed on the CLI.
import { UserError } from './user-error.js';
import { EXIT } from './exit-codes.js';
import { browserPlanTable, sandboxPlanTable, tierTable, type FbayConfig } from './config/defaults.js';
import { complaint, KEY_SPECS, specFor } from './config/key-specs.js';

export * from './config/defaults.js';
export { KEY_SPECS as CONFIG_KEYS, parseListen, specFor, type KeySpec } from './config/key-specs.js';

const usage = (message: string, next: string) => new UserError(message, { exit: EXIT.usage, code: 'usage', next });

/**
 * Validates KEY VALUE as typed by a user and returns the typed value. `config` (the config in effect) lets a value
 * that names a table entry (account.tier, tiers.X.browser_plan) be checked against the table.
 */
export function parseConfigValue(key: string, raw: string, config?: FbayConfig): unknown {
  const spec = specFor(key);
  if (!spec || key === 'boards' || key === 'remotes') {
    throw usage(
      `Unknown config key '${key}'.`,
      key === 'boards' || key === 'remotes'
        ? `Edit ${key} with \`fbay ${key === 'boards' ? 'boards add' : 'remote add'}\`.`
        : 'Run `fbay config list` to see the keys, e.g. virtual_boards, idle_timeout_s, account.tier, account.balance_credits, tiers.NAME.max_concurrent.',
    );
  }
  const value = spec.text(raw);
  const why = complaint(spec, value);
  if (why !== null) throw usage(`${key} must be ${spec.want}; got '${raw.slice(0, 80)}'.`, `fbay config set ${key} <${spec.want}>`);
  if (config) checkNames(key, value, config);
  return value;
}

function checkNames(key: string, value: unknown, config: FbayConfig): void {
  const table = key === 'account.tier' ? tierTable(config) : key.endsWith('.browser_plan') ? browserPlanTable(config) : key.endsWith('.sandbox_plan') ? sandboxPlanTable(config) : null;
  if (table && !Object.hasOwn(table, value as string)) {
    const what = key === 'account.tier' ? 'tier' : key.endsWith('.browser_plan') ? 'browser plan' : 'sandbox plan';
    throw usage(`'${String(value)}' is not a ${what}; the ${what}s are ${Object.keys(table).join(', ')}.`, `fbay config set ${key} ${Object.keys(table)[0]}`);
  }
  if (key === 'default_remote' && value !== null && !Object.hasOwn(config.remotes ?? {}, value as string)) {
    throw usage(`There is no remote named '${String(value)}'.`, 'Add it first with `fbay remote add NAME URL --key KEY`, or see `fbay remote list`.');
  }
}

/** The spec descriptions, for `fbay config list` and completions. */
export function describeKeys(): Array<{ pattern: string; describe: string }> {
  return KEY_SPECS.map((k) => ({ pattern: k.pattern.source, describe: k.describe }));
}
