import { describe, expect, it } from 'vitest';
import { ConsoleModel, cutMiddle, fitSegments, NOTICE_MS, statusSegments, textWidth, type Segment } from '../../../src/cli/console/status-model.js';
import { aSession } from '../helpers/sessions.js';

const T0 = Date.parse('2030-01-01T00:10:00.000Z');
const texts = (segments: Segment[]) => segments.map((s) => s.text);

function model(overrides = {}) {
  return new ConsoleModel(aSession({ state: 'active', idle_deadline: null, started_at: '2030-01-01T00:00:00.000Z', credits_used: 3, ...overrides }), T0);
}

describe('status segments', () => {
  it('shows the id, the board, the state, elapsed time, credits, port settings and a key hint', () => {
    const m = model();
    m.link = 'open';
    m.balance = 20;
    expect(texts(statusSegments(m, T0))).toEqual([
      'ses_aaaaaaaaaaaaaaaaaaaaaaaa',
      'virtual-1',
      '● active',
      '10m',
      '3 cr · 1/min · bal 20',
      'CR',
      '^T ? help',
    ]);
  });

  it('runs the meter on between readings at the session rate, and the balance down with it', () => {
    const m = model({ rate_credits_per_min: 2 });
    m.link = 'open';
    m.balance = 10;
    const meter = statusSegments(m, T0 + 30_000).find((s) => s.text.includes('cr'))!;
    expect(meter.text).toBe('4 cr · 2/min · bal 9');
    m.applyMeter({ type: 'meter', session_id: m.session.id, credits_used: 5, rate_credits_per_min: 2, balance_credits: 8, at: '' }, T0 + 60_000);
    expect(statusSegments(m, T0 + 60_000).find((s) => s.text.includes('cr'))!.text).toBe('5 cr · 2/min · bal 8');
    m.balance = null;
    expect(statusSegments(m, T0 + 60_000).find((s) => s.text.includes('cr'))!.text).toBe('5 cr · 2/min · unmetered');
  });

  it('counts down an idle session, a reconnect and a missing board', () => {
    const idle = model({ state: 'idle', idle_deadline: new Date(T0 + 25_000).toISOString() });
    idle.link = 'open';
    expect(statusSegments(idle, T0)[2]).toMatchObject({ text: '● idle · ends in 25s', tone: 'idle' });
    const away = model();
    away.link = 'reconnecting';
    away.reconnectDeadline = T0 + 12_500;
    expect(statusSegments(away, T0)[2]).toMatchObject({ text: '● reconnecting… 13s left', tone: 'reconnecting' });
    const missing = model({ board_missing_since: new Date(T0).toISOString(), grace_deadline: new Date(T0 + 4000).toISOString() });
    missing.link = 'open';
    expect(statusSegments(missing, T0)[2]).toMatchObject({ text: '● board away 4s grace', tone: 'warning' });
    const mirrored = model({ state: 'active', host: 'lab', link: { state: 'reconnecting', deadline: new Date(T0 + 20_000).toISOString() } });
    mirrored.link = 'open';
    expect(statusSegments(mirrored, T0)[2]).toMatchObject({ text: '● reconnecting to lab… 20s left', tone: 'reconnecting' });
  });

  it('shows a warning from the daemon until its moment has passed, and drops idle_warning once active again', () => {
    const m = model({ state: 'idle' });
    m.link = 'open';
    m.apply({ type: 'warning', kind: 'credits_low', at: new Date(T0 + 60_000).toISOString(), seconds_left: 60 }, T0);
    expect(texts(statusSegments(m, T0))).toContain('⚠ credits low: out in 1m');
    expect(texts(statusSegments(m, T0 + 62_000)).some((t) => t.startsWith('⚠'))).toBe(false);
    m.apply({ type: 'warning', kind: 'idle_warning', at: new Date(T0 + 10_000).toISOString(), seconds_left: 10 }, T0);
    m.apply({ type: 'state', ...aSession({ state: 'active' }) }, T0 + 1000);
    expect(m.warning).toBeNull();
  });

  it('says why an ended session ended, and stops its clock and meter', () => {
    const m = model();
    m.apply({ type: 'ended', reason: 'credits_exhausted', session: { ...m.session, state: 'ended', end_reason: 'credits_exhausted', ended_at: '2030-01-01T00:05:00.000Z', credits_used: 7 } }, T0);
    const segments = texts(statusSegments(m, T0 + 600_000));
    expect(segments).toContain('● ended (credits_exhausted)');
    expect(segments).toContain('5m');
    expect(segments).toContain('7 cr · 1/min');
  });

  it('counts the time since the session started in whole seconds', () => {
    const m = model({ started_at: new Date(T0 - 400).toISOString() });
    expect(texts(statusSegments(m, T0))[3]).toBe('0s');
    expect(texts(statusSegments(m, T0 + 65_000))[3]).toBe('1m5s');
  });

  it('names the board by its id, with the type when the id does not say it', () => {
    expect(texts(statusSegments(model({ board_type: 'esp32-s3', board_id: 'lab-s3' }), T0))[1]).toBe('esp32-s3 · lab-s3');
  });

  it('shows the modes that are on, and a notice for a few seconds', () => {
    const m = model();
    Object.assign(m.settings, { baud: 921600, eol: 'crlf', hex: true, timestamps: true, echo: true, logPath: '/tmp/x.log' });
    m.say('hex view on', T0);
    const segments = texts(statusSegments(m, T0));
    expect(segments).toContain('921600 CRLF HEX TS ECHO LOG');
    expect(segments).toContain('hex view on');
    expect(texts(statusSegments(m, T0 + 5999))).toContain('hex view on'); // long enough to read a path
    expect(texts(statusSegments(m, T0 + NOTICE_MS))).not.toContain('hex view on');
  });

  it('at 80 columns keeps the ^T ? help hint and drops the other pieces first', () => {
    const m = model();
    m.link = 'open';
    m.balance = 20;
    const line = fitSegments(statusSegments(m, T0), 80).map((s) => s.text).join(' │ ');
    expect(line).toBe('ses_aaaaaaaaaaaaaaaaaaaaaaaa │ virtual-1 │ ● active │ ^T ? help');
    expect(fitSegments(statusSegments(m, T0), 50).map((s) => s.text)).toEqual(['ses_aaa…aa', 'virtual-1', '● active', '^T ? help']);
  });

  it('a long notice (stopped logging to PATH) is shortened in the middle, not dropped', () => {
    const m = model();
    m.link = 'open';
    const path = `/home/someone/projects/firmware/fbay-${m.session.id}-20300101-001000.log`;
    m.say(`stopped logging to ${path}`, T0, `stopped logging to ${cutMiddle(path.split('/').pop()!, 24)}`);
    const shown = fitSegments(statusSegments(m, T0), 80);
    expect(shown.map((s) => s.text).find((t) => t.startsWith('stopped logging to'))).toBe('stopped logging to fbay-ses_aaa…-001000.log');
    expect(shown.reduce((w, s) => w + textWidth(s.text) + 3, -2)).toBeLessThanOrEqual(80);
    m.say('a notice with no short form, far too long to fit beside the rest of the line at all', T0);
    expect(fitSegments(statusSegments(m, T0), 60).map((s) => s.text).some((t) => t.includes('…'))).toBe(true);
    expect(cutMiddle('abcdefghij', 5)).toBe('ab…ij');
  });
});

describe('fitSegments', () => {
  const segments: Segment[] = [
    { text: 'a'.repeat(10), tone: 'plain', priority: 90 },
    { text: 'b'.repeat(10), tone: 'plain', priority: 20 },
    { text: 'c'.repeat(10), tone: 'plain', priority: 60 },
  ];

  it('drops the least important pieces first until the line fits', () => {
    expect(texts(fitSegments(segments, 100))).toEqual(['a'.repeat(10), 'b'.repeat(10), 'c'.repeat(10)]);
    expect(texts(fitSegments(segments, 30))).toEqual(['a'.repeat(10), 'c'.repeat(10)]);
    expect(texts(fitSegments(segments, 5))).toEqual(['a'.repeat(10)]); // the last one is cut by the view, not dropped
  });

  it('counts code points, not UTF-16 units', () => {
    expect(textWidth('● ⚠ │')).toBe(5);
  });
});
