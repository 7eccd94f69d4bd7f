import { describe, expect, it } from 'vitest';
import { HOUR_MS, UsageBook, monthStart, nextMonthStart } from '../../../src/daemon/browsers/browser-usage.js';
import { checkConcurrency, checkQuota, planUsage } from '../../../src/daemon/browsers/browser-limits.js';

const t = (iso: string) => Date.parse(iso);

describe('UsageBook', () => {
  it('splits a session that spans a month boundary between the months', () => {
    const book = new UsageBook();
    const changed = book.add('local', t('2030-01-31T23:00:00Z'), t('2030-02-01T01:30:00Z'));
    expect(changed).toEqual([
      { account: 'local', month: '2030-01', ms: HOUR_MS },
      { account: 'local', month: '2030-02', ms: 1.5 * HOUR_MS },
    ]);
    expect(book.usedMs('local', t('2030-02-10T00:00:00Z'), [])).toBe(1.5 * HOUR_MS);
  });

  it('adds what live sessions have run this month, from this month’s start', () => {
    const book = new UsageBook();
    book.restore([{ account: 'local', month: '2030-02', ms: 1000 }]);
    const now = t('2030-02-01T00:10:00Z');
    expect(book.usedMs('local', now, [t('2030-01-31T23:00:00Z'), t('2030-02-01T00:09:00Z')])).toBe(1000 + 600_000 + 60_000);
    expect(book.usedMs('other', now, [])).toBe(0);
  });

  it('knows where months start and end in UTC', () => {
    expect(new Date(monthStart(t('2030-12-31T23:59:59Z'))).toISOString()).toBe('2030-12-01T00:00:00.000Z');
    expect(new Date(nextMonthStart(t('2030-12-31T23:59:59Z'))).toISOString()).toBe('2031-01-01T00:00:00.000Z');
  });
});

describe('browser limits', () => {
  const plan = { name: 'free', max_concurrent: 1, monthly_hours: 1 };
  const now = t('2030-05-05T00:00:00Z');

  it('lets a create through under both limits', () => {
    expect(() => checkConcurrency('local', plan, [], now)).not.toThrow();
    expect(() => checkQuota('local', plan, HOUR_MS - 1, now)).not.toThrow();
    expect(() => checkQuota('local', { ...plan, monthly_hours: null }, 1e12, now)).not.toThrow();
  });

  it('reports usage in hours with the period', () => {
    expect(planUsage(plan, 1.5 * HOUR_MS, now)).toEqual({
      plan: 'free',
      max_concurrent: 1,
      monthly_hours: 1,
      used_hours: 1.5,
      period_start: '2030-05-01T00:00:00.000Z',
      resets_at: '2030-06-01T00:00:00.000Z',
    });
  });
});
