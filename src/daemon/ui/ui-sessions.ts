// Who is logged into the dashboard: one-time login tokens, cookie sessions (each with its CSRF token) and WebSocket tickets.
//
// A session is a cookie (HttpOnly) AND a CSRF token the page keeps in localStorage and sends as a header. Cookies are
// not kept apart by port, so another local user's server on 127.0.0.1:OTHER may be sent the cookie; without the CSRF
// token, which only this origin's page can read, it opens nothing. Only SHA-256 hashes of secrets are kept.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';

/** How long a login lasts, from the moment it was made (not extended by use). */
export const SESSION_TTL_MS = 12 * 3600_000;
/** How long the URL `fbay ui` prints can be used (once). */
export const LOGIN_TOKEN_TTL_MS = 10 * 60_000;
/** A WebSocket or event-stream ticket is used right after it is asked for. */
export const TICKET_TTL_MS = 30_000;
/** Expired sessions are remembered this long, so the page can say "expired" rather than "not logged in". */
const FORGET_AFTER_MS = 24 * 3600_000;

export interface SessionRecord {
  hash: string;
  csrf_hash: string;
  account: string;
  /** `token`: the owner's one-time URL; `key`: an API key exchanged at the login form (ends when the key is revoked). */
  via: 'token' | 'key';
  created_at: number;
  expires_at: number;
}

export type SessionCheck =
  | { ok: true; session: SessionRecord }
  | { ok: false; why: 'missing' | 'unknown' | 'expired' | 'csrf' | 'revoked' };

export interface NewLogin {
  cookie: string;
  csrf: string;
  session: SessionRecord;
}

export interface UiSessionsOptions {
  clock: Clock;
  /** The sessions saved by the previous daemon run, so open dashboards survive a restart. */
  saved?: SessionRecord[];
  /** Called with the sessions to keep whenever they change. */
  persist?: (sessions: SessionRecord[]) => void;
  /** False once the API key behind a `key` session's account was revoked. */
  accountValid?: (account: string) => boolean;
}

const secret = () => randomBytes(32).toString('base64url');
const hashOf = (value: string) => createHash('sha256').update(value).digest('hex');
const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

interface Pending {
  account: string;
  expires_at: number;
  /** Tickets only: the one path they open. */
  path?: string;
}

export class UiSessions {
  readonly #clock: Clock;
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #tokens = new Map<string, Pending>();
  readonly #tickets = new Map<string, Pending>();
  readonly #options: UiSessionsOptions;

  constructor(options: UiSessionsOptions) {
    this.#options = options;
    this.#clock = options.clock;
    for (const s of options.saved ?? []) this.#sessions.set(s.hash, s);
    this.#prune();
  }

  /** A token for the URL `fbay ui` prints; good for one login within LOGIN_TOKEN_TTL_MS. */
  mintLoginToken(account: string): { token: string; expires_at: number } {
    const token = secret();
    const expires_at = this.#clock.now() + LOGIN_TOKEN_TTL_MS;
    this.#sweep(this.#tokens);
    this.#tokens.set(hashOf(token), { account, expires_at });
    return { token, expires_at };
  }

  /** Trades a login token for a session; null when it is unknown, used already, or too old. */
  redeemLoginToken(token: string): NewLogin | null {
    const key = hashOf(token);
    const pending = this.#tokens.get(key);
    this.#tokens.delete(key);
    if (!pending || pending.expires_at <= this.#clock.now()) return null;
    return this.login(pending.account, 'token');
  }

  login(account: string, via: SessionRecord['via']): NewLogin {
    const cookie = secret();
    const csrf = secret();
    const now = this.#clock.now();
    const session: SessionRecord = { hash: hashOf(cookie), csrf_hash: hashOf(csrf), account, via, created_at: now, expires_at: now + SESSION_TTL_MS };
    this.#sessions.set(session.hash, session);
    this.#prune();
    this.#save();
    return { cookie, csrf, session };
  }

  /** The session of a cookie, checked against its CSRF token (pass `null` to skip that check: the logout). */
  check(cookie: string | undefined, csrf: string | null | undefined): SessionCheck {
    if (!cookie) return { ok: false, why: 'missing' };
    const session = this.#sessions.get(hashOf(cookie));
    if (!session) return { ok: false, why: 'unknown' };
    if (session.expires_at <= this.#clock.now()) return { ok: false, why: 'expired' };
    if (session.via === 'key' && this.#options.accountValid && !this.#options.accountValid(session.account)) return { ok: false, why: 'revoked' };
    if (csrf !== null && !(typeof csrf === 'string' && sameHash(hashOf(csrf), session.csrf_hash))) return { ok: false, why: 'csrf' };
    return { ok: true, session };
  }

  logout(cookie: string): void {
    if (this.#sessions.delete(hashOf(cookie))) this.#save();
  }

  /** A single-use ticket that opens `path` (a WebSocket, the event stream) for `account` within TICKET_TTL_MS. */
  mintTicket(account: string, path: string): { ticket: string; expires_at: number } {
    const ticket = secret();
    const expires_at = this.#clock.now() + TICKET_TTL_MS;
    this.#sweep(this.#tickets);
    this.#tickets.set(hashOf(ticket), { account, expires_at, path });
    return { ticket, expires_at };
  }

  /** The account a ticket was minted for, if it is fresh, unused and for this path; it is used up either way. */
  redeemTicket(ticket: string, path: string): string | null {
    const key = hashOf(ticket);
    const pending = this.#tickets.get(key);
    this.#tickets.delete(key);
    if (!pending || pending.expires_at <= this.#clock.now() || pending.path !== path) return null;
    return pending.account;
  }

  /** Live sessions (for the owner's host page and for tests). */
  live(): SessionRecord[] {
    const now = this.#clock.now();
    return [...this.#sessions.values()].filter((s) => s.expires_at > now);
  }

  #prune(): void {
    const cutoff = this.#clock.now() - FORGET_AFTER_MS;
    for (const [hash, s] of this.#sessions) if (s.expires_at < cutoff) this.#sessions.delete(hash);
  }

  #sweep(map: Map<string, Pending>): void {
    if (map.size < 1000) return;
    const now = this.#clock.now();
    for (const [k, p] of map) if (p.expires_at <= now) map.delete(k);
  }

  #save(): void {
    this.#options.persist?.([...this.#sessions.values()]);
  }
}
