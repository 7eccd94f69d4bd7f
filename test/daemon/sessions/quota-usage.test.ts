import { describe, expect, it } from 'vitest';
import { HOUR_MS, QuotaUsage, monthStart, nextMonthStart } from '../../../src/daemon/sessions/quota-usage.js';
import { planUsage } from '../../../src/daemon/providers/browser/browser-limits.js';

const t = (iso: string) => Date.parse(iso);

describe('QuotaUsage', () => {
  it('splits a session that spans a month boundary between the months', () => {
    const book = new QuotaUsage();
    const changed = book.add('local', 'browser', t('2030-01-31T23:00:00Z'), t('2030-02-01T01:30:00Z'));
    expect(changed).toEqual([
      { t: 'u', u: { account: 'local', kind: 'browser', month: '2030-01', ms: HOUR_MS }, add: HOUR_MS },
      { t: 'u', u: { account: 'local', kind: 'browser', month: '2030-02', ms: 1.5 * HOUR_MS }, add: 1.5 * HOUR_MS },
    ]);
    expect(book.booked('local', 'browser', t('2030-02-10T00:00:00Z'))).toBe(1.5 * HOUR_MS);
  });

  it('keeps accounts and kinds apart, and reads entries of journals without a kind as browser hours', () => {
    const book = new QuotaUsage();
    book.restore([{ account: 'local', month: '2030-02', ms: 1000 }]);
    const now = t('2030-02-01T00:10:00Z');
    expect(book.booked('local', 'browser', now)).toBe(1000);
    expect(book.booked('local', 'sandbox', now)).toBe(0);
    expect(book.booked('other', 'browser', now)).toBe(0);
  });

  it('knows where months start and end in UTC', () => {
    expect(new Date(monthStart(t('2030-12-31T23:59:59Z'))).toISOString()).toBe('2030-12-01T00:00:00.000Z');
    expect(new Date(nextMonthStart(t('2030-12-31T23:59:59Z'))).toISOString()).toBe('2031-01-01T00:00:00.000Z');
  });
});

describe('browser plan usage', () => {
  it('reports usage in hours with the period', () => {
    const plan = { name: 'free', max_concurrent: 1, monthly_hours: 5 };
    expect(planUsage(plan, 1.5 * HOUR_MS, t('2030-05-05T00:00:00Z'))).toEqual({
      plan: 'free',
      maxConcurrent: 1,
      monthlyHours: 5,
      usedHours: 1.5,
      periodStart: '2030-05-01T00:00:00.000Z',
      resetsAt: '2030-06-01T00:00:00.000Z',
    });
  });
});
