// Notices esptool's bootloader entry arriving too slowly to work, so the bridge can ask the host for the board's own
// bootloader reset. The client's line changes are still forwarded, each at once; this only adds a reset after them.
//
// Why: esptool over rfc2217:// uses its classic reset (DTR off, RTS on, wait 100 ms, DTR on, RTS off, wait 50 ms,
// DTR off), but pyserial's RFC 2217 client waits for the server's answer to every SET-CONTROL, polling every 50 ms.
// So "DTR on" and "RTS off" arrive ~100 ms apart; in between both lines are asserted, which on the usual two-transistor
// auto-reset circuit releases EN with IO0 still high, and the chip boots its app a few ms later (the EN pin's RC
// delay) instead of entering the ROM downloader. esptool's own RFC 2217 server works around the same problem by
// running the reset itself; here the host next to the board runs it, with that board's sequence and esptool's timing.

/** Longer than this between releasing EN and pulling IO0 low, and the chip has already sampled IO0 (EN's RC delay). */
export const EN_SAMPLE_MS = 5;

export class ResetAssist {
  #dtr = true; // as a port opens on Linux
  #rts = true;
  /** When EN was released from reset with IO0 still high (DTR on while RTS on, straight after EN was held low). */
  #releasedAt: number | null = null;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * One line change as the client made it; true when it completed esptool's bootloader entry too late for the chip to
   * see IO0 low, so the host should run the board's bootloader reset now.
   */
  change(line: 'dtr' | 'rts', on: boolean): boolean {
    const wasEnLow = this.#rts && !this.#dtr;
    if (line === 'dtr') this.#dtr = on;
    else this.#rts = on;
    const both = this.#dtr && this.#rts;
    if (wasEnLow && both) {
      this.#releasedAt = this.now();
      return false;
    }
    const releasedAt = this.#releasedAt;
    // Nothing pending, or a repeated set that left both lines on (esptool sets DTR again after each RTS change).
    if (releasedAt === null || both) return false;
    this.#releasedAt = null;
    // RTS off with DTR on — IO0 low, EN high — is the step that selects the downloader: in time, or too late.
    return this.#dtr && !this.#rts && this.now() - releasedAt > EN_SAMPLE_MS;
  }
}
