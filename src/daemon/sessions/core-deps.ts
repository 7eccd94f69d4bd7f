// What the session core is built from: its clock, store, kinds and their providers, the tiers and the owner account.
import type { Clock } from '../../shared/clock.js';
import type { AccountSettings } from './accounts.js';
import type { SessionKind } from './kind.js';
import type { Provider } from './provider.js';
import type { SessionStore } from './store/store.js';
import type { TierTables } from './tiers.js';

export interface CoreDeps {
  clock: Clock;
  store: SessionStore;
  // Kinds and providers are heterogeneous by design: each is typed by its own record.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  kinds: SessionKind<any>[];
  /** The provider of each kind's own sessions on this host. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  providers: Record<string, Provider<any>>;
  /** The provider of sessions mirrored from other fbay hosts, of any kind. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  remote?: Provider<any>;
  tiers(): TierTables;
  /** The owner account's settings from config (tier, balance). */
  ownerAccount(): AccountSettings;
  log(message: string): void;
  /** Ended sessions kept (for `list --all`, idempotency) across restarts. */
  keepEnded?: number;
  /** This coordinator's name when several share the store: it runs the providers of the sessions it created. */
  coordinator?: string;
  /** How much later than their owner other coordinators act on a session's deadlines (default 1 s). */
  peerLagMs?: number;
}
