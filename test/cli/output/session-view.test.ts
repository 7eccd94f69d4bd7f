import { describe, expect, it } from 'vitest';
import { endedLine, sessionDetail, sessionTable, stateLine } from '../../../src/cli/output/session-view.js';
import { aSession } from '../helpers/sessions.js';

const NOW = Date.parse('2030-01-01T00:00:05.000Z');

describe('session views', () => {
  it('lists sessions in a table, with an END REASON column only when one has ended', () => {
    const live = sessionTable([aSession()], NOW);
    expect(live.split('\n')[0]).toBe('ID                             TYPE      BOARD       STATE   CREATED   CREDITS');
    expect(live).toContain('ses_aaaaaaaaaaaaaaaaaaaaaaaa   virtual   virtual-1   idle    5s ago    1');
    const all = sessionTable([aSession({ state: 'ended', end_reason: 'idle_timeout' })], NOW);
    expect(all.split('\n')[0]).toContain('END REASON');
    expect(all).toContain('idle_timeout');
  });

  it('adds a HOST column once a session lives on a remote host, and says when its line is reconnecting', () => {
    const mirrored = aSession({ id: `ses_${'b'.repeat(24)}`, host: 'lab', state: 'active', link: { state: 'reconnecting', deadline: '2030-01-01T00:00:25.000Z' } });
    const table = sessionTable([aSession(), mirrored], NOW);
    expect(table.split('\n')[0]).toMatch(/^ID\s+HOST\s+TYPE/);
    expect(table).toMatch(/ses_a+\s+local\s+virtual/);
    expect(table).toMatch(/ses_b+\s+lab\s+virtual/);
    expect(stateLine(mirrored, NOW)).toBe('active, reconnecting to lab until in 20s');
    expect(sessionDetail(mirrored, NOW)).toContain('virtual-1 (virtual) on lab');
  });

  it('shows id, board, state, idle timeout and ws_url for a new session', () => {
    const text = sessionDetail(aSession(), NOW);
    expect(text).toContain('id            ses_aaaaaaaaaaaaaaaaaaaaaaaa');
    expect(text).toContain('board         virtual-1 (virtual)');
    expect(text).toContain('state         idle (ends in 26s unless a client connects)');
    expect(text).toContain('idle timeout  30s');
    expect(text).toContain('ws_url        ws+unix://');
    expect(text).not.toContain('credits');
  });

  it('adds times, credits and metadata for show', () => {
    const text = sessionDetail(aSession({ metadata: { job: '7' }, max_credits: 5 }), NOW, true);
    expect(text).toContain('created       5s ago');
    expect(text).toContain('credits       1 used at 1/min, max 5');
    expect(text).toContain('metadata      job=7');
  });

  it('says how a session ended', () => {
    const ended = aSession({ state: 'ended', end_reason: 'user_ended', ended_at: '2030-01-01T00:00:04.000Z', credits_used: 2 });
    expect(stateLine(ended, NOW)).toBe('ended (user_ended) 1s ago');
    expect(endedLine(ended)).toBe('ses_aaaaaaaaaaaaaaaaaaaaaaaa ended (user_ended); 2 credits used.\n');
  });
});
