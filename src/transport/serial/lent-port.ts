// The relay's port lent to a flasher: board output is fed to it instead of clients; give it back with close().
import { Duplex } from 'node:stream';
import type { SerialControl, SerialLine, SerialPortHandle } from './port.js';

/** A byte stream onto the lent port: reads are what the relay feeds, writes go straight to the board. */
class LentLine extends Duplex {
  constructor(private readonly port: SerialPortHandle) {
    super({ allowHalfOpen: false });
  }

  get isOpen(): boolean {
    return !this.destroyed && this.port.stream.isOpen;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (!this.port.stream.isOpen) return callback(new Error(`${this.port.label} is closed`));
    this.port.stream.write(chunk, (err) => callback(err ?? null));
  }
}

/** Output kept for the relay while nobody reads the lent stream: a boot log after the flasher's last reset. */
const UNREAD_KEEP = 64 * 1024;

export class LentPort implements SerialPortHandle {
  readonly label: string;
  readonly stream: SerialLine;
  readonly control: SerialControl;
  #returned = false;
  #unread: Buffer[] = [];
  #unreadBytes = 0;

  constructor(
    port: SerialPortHandle,
    private readonly giveBack: (lent: LentPort, unread: Buffer[]) => void,
  ) {
    this.label = port.label;
    this.control = port.control;
    this.stream = new LentLine(port) as SerialLine;
    this.stream.on('error', () => undefined); // a write after the port went away: the borrower sees 'close'
  }

  get returned(): boolean {
    return this.#returned;
  }

  /**
   * Board output for the borrower. Once it stops listening (a flasher does before its final reset), output is kept
   * and handed back with the port, so the new firmware's first words reach the session.
   */
  feed(chunk: Buffer): void {
    if (this.stream.destroyed) return;
    if (this.stream.listenerCount('data') > 0) {
      this.stream.push(chunk);
      return;
    }
    this.#unread.push(chunk);
    this.#unreadBytes += chunk.length;
    while (this.#unreadBytes > UNREAD_KEEP && this.#unread.length > 1) this.#unreadBytes -= this.#unread.shift()!.length;
  }

  /** The port went away under the borrower: its stream closes, as a real port's would. */
  lost(): void {
    this.stream.destroy();
  }

  /** Gives the port back to the relay; the port itself stays open. */
  async close(): Promise<void> {
    if (this.#returned) return;
    this.#returned = true;
    this.stream.destroy();
    const unread = this.#unread;
    this.#unread = [];
    this.giveBack(this, unread);
  }
}
