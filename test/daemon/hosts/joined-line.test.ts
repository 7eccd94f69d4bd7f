// A joined board's line on the coordinator: output offsets follow the host's (repeats dropped, gaps said), input a
// drop swallowed is sent again from what the host says it has, and input waits while the host is away.
import { describe, expect, it } from 'vitest';
import { JoinedLine } from '../../../src/daemon/hosts/joined-line.js';
import type { HostLink } from '../../../src/daemon/hosts/host-link.js';

/** Just what a line uses of a link: its input frames are recorded. */
function fakeLink() {
  const sent: Array<{ offset: number; bytes: string }> = [];
  const link = { open: true, sendInput: (_c: number, offset: number, bytes: Buffer) => sent.push({ offset, bytes: bytes.toString() }), call: async () => ({ ok: true }) };
  return { link: link as unknown as HostLink, sent, raw: link };
}

describe('JoinedLine', () => {
  it('drops output it already has, and says when the host skipped some', async () => {
    const line = new JoinedLine('ses_x', 'lab1', 10);
    const out: string[] = [];
    const notices: unknown[] = [];
    line.on('data', (d: Buffer) => out.push(d.toString()));
    line.on('notice', (m: unknown) => notices.push(m));
    line.fromHost(5, Buffer.from('abcdefghij')); // 5..15: 10..15 is new
    line.fromHost(12, Buffer.from('hijkl')); // 12..17: 15..17 is new
    line.fromHost(20, Buffer.from('uv')); // 17..20 never came
    line.fromHostText({ type: 'gap', lost_bytes: 3 });
    line.fromHostText({ type: 'state', state: 'idle' });
    await new Promise((r) => setImmediate(r));
    expect(out).toEqual(['fghij', 'kl', 'uv']);
    expect(notices).toEqual([{ type: 'gap', lost_bytes: 3 }, { type: 'gap', lost_bytes: 3 }]);
    expect(line.offset).toBe(25);
  });

  it('holds input while the host is away and sends it, after what a drop swallowed, once it is back', async () => {
    const line = new JoinedLine('ses_x', 'lab1', 0);
    const first = fakeLink();
    line.bind(first.link, 1, { offset: 0, input: 0 });
    line.write(Buffer.from('abc'));
    line.write(Buffer.from('def'));
    expect(first.sent).toEqual([{ offset: 0, bytes: 'abc' }, { offset: 3, bytes: 'def' }]);
    line.unbind();
    let written = false;
    line.write(Buffer.from('ghi'), () => (written = true));
    await new Promise((r) => setImmediate(r));
    expect(written).toBe(false);
    const second = fakeLink();
    // The host had only "abc": "def" is sent again, then what waited.
    line.bind(second.link, 2, { offset: 0, input: 3 });
    await new Promise((r) => setImmediate(r));
    expect(second.sent).toEqual([{ offset: 3, bytes: 'def' }, { offset: 6, bytes: 'ghi' }]);
    expect(written).toBe(true);
  });

  it("after this coordinator's restart takes its input numbering from the host, and refuses control while away", async () => {
    const line = new JoinedLine('ses_x', 'lab1', 0);
    await expect(line.control.reset('hard')).rejects.toThrow("Host 'lab1' is reconnecting; try again in a moment.");
    const l = fakeLink();
    line.bind(l.link, 1, { offset: 0, input: 500 });
    line.write(Buffer.from('x'));
    expect(l.sent).toEqual([{ offset: 500, bytes: 'x' }]);
    await expect(line.control.reset('hard')).resolves.toBeUndefined();
  });
});
