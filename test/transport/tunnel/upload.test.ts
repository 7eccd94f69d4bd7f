// A flash upload over the tunnel: cut into upload frames at their offsets, never more than the window handed to the
// socket unwritten, a failed write stops it; the far end takes the pieces in order only, and exactly the size.
import { describe, expect, it } from 'vitest';
import { decodeFrame, FRAME } from '../../../src/transport/tunnel/frames.js';
import { sendUpload, UploadAssembly, type FrameSink } from '../../../src/transport/tunnel/upload.js';

/** A socket whose writes complete only when the test says so. */
function slowSink() {
  const pending: Array<{ frame: Buffer; done: (err?: Error) => void }> = [];
  const sink: FrameSink = { send: (frame, done) => void pending.push({ frame, done }) };
  const unwritten = () => pending.reduce((n, p) => n + (decodeFrame(p.frame) as { bytes: Buffer }).bytes.length, 0);
  return { sink, pending, unwritten };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('sendUpload', () => {
  it('sends the bytes in chunks at their offsets, a window at a time, and resolves once every chunk is written', async () => {
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    const { sink, pending, unwritten } = slowSink();
    let done = false;
    const sent = sendUpload(sink, 9, bytes, { window: 300, chunk: 100 }).then(() => (done = true));
    const assembly = new UploadAssembly(bytes.length);
    let most = 0;
    while (pending.length > 0) {
      most = Math.max(most, unwritten());
      const { frame, done: written } = pending.shift()!;
      const f = decodeFrame(frame);
      expect(f).toMatchObject({ type: FRAME.upload, channel: 9 });
      const { offset, bytes: piece } = f as { offset: number; bytes: Buffer };
      expect(piece.length).toBeLessThanOrEqual(100);
      expect(assembly.take(offset, piece)).toBeNull();
      expect(done).toBe(false);
      written();
      await settle();
    }
    await sent;
    expect(most).toBe(300);
    expect(assembly.complete).toBe(true);
    expect(assembly.bytes.equals(bytes)).toBe(true);
  });

  it('rejects with the first failed write and sends nothing after it; an empty upload is sent at once', async () => {
    const { sink, pending } = slowSink();
    const sent = sendUpload(sink, 1, Buffer.alloc(1000), { window: 200, chunk: 100 });
    expect(pending).toHaveLength(2);
    pending[0]!.done(new Error('the tunnel closed'));
    pending[1]!.done();
    await expect(sent).rejects.toThrow('the tunnel closed');
    expect(pending).toHaveLength(2);
    await expect(sendUpload(sink, 1, Buffer.alloc(0))).resolves.toBeUndefined();
  });
});

describe('UploadAssembly', () => {
  it('takes pieces in order up to its size, and says what is wrong with any other', () => {
    const a = new UploadAssembly(6);
    expect(a.take(0, Buffer.from('abc'))).toBeNull();
    expect(a.take(4, Buffer.from('e'))).toBe('upload bytes at offset 4 when 3 were expected next');
    expect(a.take(3, Buffer.from('defg'))).toBe('upload bytes up to 7, past its 6 bytes');
    expect(a.complete).toBe(false);
    expect(a.take(3, Buffer.from('def'))).toBeNull();
    expect(a.complete).toBe(true);
    expect(a.bytes.toString()).toBe('abcdef');
  });
});
