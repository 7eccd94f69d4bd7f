// The claim index an embedded store keeps: what a session holds follows each snapshot of it (a resource it moved
// off, a name it let go, its end), and nothing of a session compaction let go stays held.
import { describe, expect, it } from 'vitest';
import type { CoreRecord } from '../../../../src/daemon/sessions/record.js';
import { coreRecord } from './core-record.js';
import { ClaimIndex } from '../../../../src/daemon/sessions/store/claims.js';

const record = (id: string, fields: Partial<CoreRecord> = {}) => coreRecord(id, { kind: 'browser', state: 'ready', ...fields });
const index = () => new ClaimIndex((s) => s.ended_at !== null);
const claim = (resources: string[] | null, limit: { max: number; states: string[] } | null = null) => ({ resources, queue: false, limit });

describe('ClaimIndex', () => {
  it('frees a resource when its session moves off it or ends, and only then', () => {
    const claims = index();
    const a = record('a');
    expect(claims.claim(a, claim(['r1', 'r2'])).outcome).toBe('created');
    expect(a.resource).toBe('r1');
    expect(claims.free(['r1', 'r2'])).toBe('r2');
    claims.note({ ...a, resource: 'r2' });
    expect(claims.free(['r1', 'r2'])).toBe('r1');
    claims.note({ ...a, resource: 'r2', ended_at: 5, state: 'ended' });
    expect(claims.free(['r2'])).toBe('r2');
  });

  it('never frees a resource another session took after the first let it go', () => {
    const claims = index();
    const a = record('a');
    claims.claim(a, claim(['r1']));
    claims.note({ ...a, resource: null });
    const b = record('b');
    expect(claims.claim(b, claim(['r1'])).outcome).toBe('created');
    claims.note({ ...a, ended_at: 5, state: 'ended' });
    expect(claims.free(['r1'])).toBeNull();
  });

  it('holds names while they are in `holds`, refusing a second holder, and lets go of the ones dropped', () => {
    const claims = index();
    const a = record('a', { holds: ['profile:x', 'profile:y'] });
    claims.claim(a, claim(null));
    const second = claims.claim(record('b', { holds: ['profile:x'] }), claim(null));
    expect(second).toMatchObject({ outcome: 'held', name: 'profile:x' });
    claims.note({ ...a, holds: ['profile:y'] });
    expect(claims.claim(record('c', { holds: ['profile:x'] }), claim(null)).outcome).toBe('created');
    expect(claims.claim(record('d', { holds: ['profile:y'] }), claim(null))).toMatchObject({ outcome: 'held', name: 'profile:y' });
    claims.note({ ...a, holds: ['profile:y'], ended_at: 5, state: 'ended' });
    expect(claims.claim(record('e', { holds: ['profile:y'] }), claim(null)).outcome).toBe('created');
  });

  it('counts an account’s live sessions of the kind against its limit; ended ones do not count', () => {
    const claims = index();
    const limit = { max: 1, states: ['ready'] };
    const a = record('a');
    expect(claims.claim(a, claim(null, limit)).outcome).toBe('created');
    expect(claims.claim(record('b'), claim(null, limit))).toMatchObject({ outcome: 'limit' });
    expect(claims.claim(record('c', { account: 'other' }), claim(null, limit)).outcome).toBe('created');
    claims.note({ ...a, ended_at: 5, state: 'ended' });
    expect(claims.claim(record('d'), claim(null, limit)).outcome).toBe('created');
  });

  it('answers a repeated Idempotency-Key with the first session until compaction lets that session go', () => {
    const claims = index();
    const a = record('a', { idempotency_key: 'k' });
    claims.claim(a, claim(['r1']));
    expect(claims.claim(record('b', { idempotency_key: 'k' }), claim(['r2']))).toMatchObject({ outcome: 'existing', session: { id: 'a' } });
    claims.note({ ...a, ended_at: 5, state: 'ended' });
    claims.retain(new Set());
    expect(claims.claim(record('c', { idempotency_key: 'k' }), claim(['r1'])).outcome).toBe('created');
  });
});
