import { describe, expect, it } from 'vitest';
import type { FlashJob } from '../../../src/transport/protocol/flash-api.js';
import { fromJob, percent, withEvent, withJob } from '../../../src/ui/flash/flash-progress.js';

const job = (over: Partial<FlashJob> = {}): FlashJob => ({
  id: 'fl_1', session_id: 'ses_x', state: 'running', method: 'rom', phase: 'connecting', written: 0, total: 1000, kbit_s: 0, images: [], forced: [],
  verify: true, erase_all: false, started_at: '2025-01-01T00:00:00Z', ended_at: null, seconds: null, resumed: 0, error: null, failure: null,
  offset: null, boot_output: null, log: [], log_count: 0, boot_offset: null, ...over,
});
const ev = (over: Record<string, unknown>) => ({ job_id: 'fl_1', state: 'running' as const, phase: 'writing' as const, written: 0, total: 1000, kbit_s: 0, ...over });

describe('flash progress', () => {
  it('follows events: bytes only grow, log lines add up, the end is kept', () => {
    let p = withEvent(null, ev({ written: 400, kbit_s: 900 }));
    p = withEvent(p, ev({ line: "Hash of 'a.bin' verified." }));
    p = withEvent(p, ev({ written: 300 }));
    expect(p).toMatchObject({ written: 400, kbit_s: 900, lines: ["Hash of 'a.bin' verified."] });
    expect(percent(p)).toBe(40);
    p = withEvent(p, ev({ state: 'succeeded', phase: 'resetting', written: 1000 }));
    p = withEvent(p, ev({ written: 500 })); // late
    expect(p.state).toBe('succeeded');
    expect(percent(p)).toBe(100);
  });

  it('keeps what events said when the POST answer comes after them, and takes the ended job as final', () => {
    const early = withEvent(null, ev({ written: 600 }));
    expect(withJob(early, job())).toBe(early);
    const ended = withJob(early, job({ state: 'failed', error: 'The board did not answer.', written: 600 }));
    expect(ended).toMatchObject({ state: 'failed', error: 'The board did not answer.', final: { state: 'failed' } });
  });

  it('a new job starts afresh', () => {
    const old = fromJob(job({ state: 'succeeded', log: ['old line'] }));
    expect(withEvent(old, ev({ job_id: 'fl_2', phase: 'connecting' }))).toMatchObject({ id: 'fl_2', state: 'running', lines: [] });
  });
});
