import { describe, expect, it } from 'vitest';
import { LOGIN_TOKEN_TTL_MS, SESSION_TTL_MS, TICKET_TTL_MS, UiSessions, type SessionRecord } from '../../../src/daemon/ui/ui-sessions.js';
import { manualClock } from './manual-clock.js';

describe('UiSessions', () => {
  it('trades a login token for a session once; a reused token is void', () => {
    const s = new UiSessions({ clock: manualClock() });
    const { token } = s.mintLoginToken('local');
    const login = s.redeemLoginToken(token)!;
    expect(login.session.account).toBe('local');
    expect(s.redeemLoginToken(token)).toBeNull();
    expect(s.check(login.cookie, login.csrf)).toMatchObject({ ok: true, session: { account: 'local', via: 'token' } });
  });

  it('refuses a login token past its 10 minutes', () => {
    const clock = manualClock();
    const s = new UiSessions({ clock });
    const { token } = s.mintLoginToken('local');
    clock.advance(LOGIN_TOKEN_TTL_MS);
    expect(s.redeemLoginToken(token)).toBeNull();
  });

  it('needs the CSRF token with the cookie, and says so apart from a missing or unknown cookie', () => {
    const s = new UiSessions({ clock: manualClock() });
    const login = s.login('local', 'token');
    expect(s.check(login.cookie, undefined)).toEqual({ ok: false, why: 'csrf' });
    expect(s.check(login.cookie, 'x'.repeat(43))).toEqual({ ok: false, why: 'csrf' });
    expect(s.check(undefined, login.csrf)).toEqual({ ok: false, why: 'missing' });
    expect(s.check('nope', login.csrf)).toEqual({ ok: false, why: 'unknown' });
    expect(s.check(login.cookie, null).ok).toBe(true); // logout skips the CSRF check
  });

  it('ends a login 12 hours after it was made and says it expired', () => {
    const clock = manualClock();
    const s = new UiSessions({ clock });
    const login = s.login('local', 'token');
    clock.advance(SESSION_TTL_MS - 1);
    expect(s.check(login.cookie, login.csrf).ok).toBe(true);
    clock.advance(1);
    expect(s.check(login.cookie, login.csrf)).toEqual({ ok: false, why: 'expired' });
  });

  it('ends a key login when the key is revoked', () => {
    let valid = true;
    const s = new UiSessions({ clock: manualClock(), accountValid: () => valid });
    const login = s.login('alice', 'key');
    expect(s.check(login.cookie, login.csrf).ok).toBe(true);
    valid = false;
    expect(s.check(login.cookie, login.csrf)).toEqual({ ok: false, why: 'revoked' });
  });

  it('opens one path once with a ticket, within 30 s', () => {
    const clock = manualClock();
    const s = new UiSessions({ clock });
    const path = '/v1/sessions/ses_abcdefghijklmnopqrstuvwx/serial';
    const a = s.mintTicket('local', path).ticket;
    expect(s.redeemTicket(a, '/v1/events')).toBeNull(); // another path uses it up
    expect(s.redeemTicket(a, path)).toBeNull();
    const b = s.mintTicket('local', path).ticket;
    expect(s.redeemTicket(b, path)).toBe('local');
    expect(s.redeemTicket(b, path)).toBeNull();
    const c = s.mintTicket('local', path).ticket;
    clock.advance(TICKET_TTL_MS);
    expect(s.redeemTicket(c, path)).toBeNull();
  });

  it('keeps only hashes, and takes logins back from what it persisted', () => {
    let saved: SessionRecord[] = [];
    const clock = manualClock();
    const first = new UiSessions({ clock, persist: (list) => (saved = list) });
    const login = first.login('local', 'token');
    expect(JSON.stringify(saved)).not.toContain(login.cookie);
    expect(JSON.stringify(saved)).not.toContain(login.csrf);
    const second = new UiSessions({ clock, saved });
    expect(second.check(login.cookie, login.csrf).ok).toBe(true);
    first.logout(login.cookie);
    expect(saved).toEqual([]);
  });
});
