// Reads a real serial port on the event loop, draining what the tty holds in one chunk, instead of one thread-pool
// round trip per 4 KiB: the relay's throughput over a pty went from ~55% to ~90% of a direct read (docs/performance.md).
import { readSync, writeSync } from 'node:fs';
import type { BindingPortInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };

/** What bindings-cpp's Unix ports have beyond the interface: their fd, and the poller that says when it is readable. */
interface UnixPort extends BindingPortInterface {
  fd: number | null;
  poller?: { once(event: 'readable', listener: (err: Error | null) => void): void };
}

const RETRY = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

function readNow(fd: number, buffer: Buffer, offset: number, length: number): number | null {
  try {
    return readSync(fd, buffer, offset, length, null);
  } catch (err) {
    if (RETRY.has((err as NodeJS.ErrnoException).code ?? '')) return 0;
    return null; // anything else: let the binding's own read report it (it marks disconnects)
  }
}

/**
 * Wraps an open Unix port: `read` waits for the poller, so every read is its own event-loop turn (socket writes get
 * to flush between), then reads until the tty is empty or the buffer full; `write` tries once on the spot and hands
 * any remainder to the binding. Ports without an fd and a poller (other platforms) are returned unchanged.
 */
export function batchedReads<T extends BindingPortInterface>(port: T): T {
  const unix = port as unknown as UnixPort;
  if (typeof unix.fd !== 'number' || !unix.poller) return port;
  const slowRead = port.read.bind(port);
  const slowWrite = port.write.bind(port);

  unix.read = async (buffer, offset, length) => {
    for (;;) {
      await new Promise<void>((resolve, reject) => unix.poller!.once('readable', (err) => (err ? reject(err) : resolve())));
      if (!port.isOpen || unix.fd === null) return slowRead(buffer, offset, length);
      let n = readNow(unix.fd, buffer, offset, length);
      if (n === null) return slowRead(buffer, offset, length);
      if (n === 0) continue;
      // A tty hands out at most 4 KiB per read: take what is there now as one chunk.
      while (n < length) {
        const more = readNow(unix.fd, buffer, offset + n, length - n);
        if (!more) break;
        n += more;
      }
      return { bytesRead: n, buffer };
    }
  };

  unix.write = async (buffer) => {
    if (buffer.length === 0 || !port.isOpen || unix.fd === null) return slowWrite(buffer);
    let n = 0;
    try {
      n = writeSync(unix.fd, buffer);
    } catch (err) {
      if (!RETRY.has((err as NodeJS.ErrnoException).code ?? '')) return slowWrite(buffer);
    }
    if (n < buffer.length) return slowWrite(buffer.subarray(n));
  };
  return port;
}
