// The owner's requests: stopping the daemon, reloading config, API keys, board entries.
import * as v from 'valibot';
import { flag, numberIn, oneOf, text } from '../schema-kit.js';

export const MAX_KEY_CREDITS = 1e9;

export const StopBody = v.strictObject({ keep_sessions: v.optional(flag()) });
export const ReloadBody = v.strictObject({ changed: v.optional(v.array(v.string('changed must be a list of config keys.'), 'changed must be a list of config keys.')) });

const credits = numberIn(0, MAX_KEY_CREDITS, `a number of credits from 0 to ${MAX_KEY_CREDITS}`);
export const CreateKeyBody = v.strictObject({
  name: v.string('Give the key a name: it is the account name, e.g. "alice".'),
  tier: v.optional(text(32)),
  credits: v.optional(credits),
  /** `metrics`: a key that can only read /metrics. */
  role: v.optional(v.picklist(['user', 'metrics'], 'role must be user or metrics.')),
  /** `host`: a board host's key for `fbay daemon start --join` (no account, no tier); default `user`. */
  kind: v.optional(oneOf(['user', 'host'])),
});
export const CreditKeyBody = v.strictObject({ credits });

export const BoardEntryBody = v.strictObject({
  name: v.optional(text(64)),
  type: text(64),
  path: v.optional(text(4096)),
  serial_number: v.optional(text(128)),
  baud: v.optional(v.number('{field} must be a number; got {got}.')),
  rate_credits_per_min: v.optional(v.number('{field} must be a number; got {got}.')),
  reset_hard: v.optional(text(256)),
  reset_bootloader: v.optional(text(256)),
  // Checked with the rest of the entry by the host (board-entries.ts), which knows their rules.
  flash_command: v.optional(v.unknown()),
  power: v.optional(v.unknown()),
  on_end: v.optional(v.unknown()),
  /** A type no board has yet is meant, not a typo. */
  new_type: v.optional(flag()),
});

export const EventsQuery = v.strictObject({
  session: v.optional(v.string()),
  end_on_close: v.optional(v.string()),
});
