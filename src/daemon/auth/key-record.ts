// What is kept of an API key: its name, tier, a SHA-256 of it, and what it may do.

/** What a user's key may do: act as its account (`user`, the default) or only read /metrics (`metrics`). */
export type KeyRole = 'user' | 'metrics';

/** `host`: a board host's key for `fbay daemon start --join` (it registers boards, it is no account); else a user's. */
export type KeyKind = 'user' | 'host';

export interface ApiKeyRecord {
  /** The account name the key acts as (a host's name for a host key). */
  name: string;
  tier: string;
  /** The first characters of the key, to tell keys apart in `keys list` without showing them. */
  prefix: string;
  hash: string;
  created_at: string;
  revoked_at: string | null;
  /** When `fbay keys rotate` last replaced the key. */
  rotated_at?: string | null;
  role?: KeyRole;
  kind?: KeyKind;
}
