// The hex view: the last bytes the board sent, as offsets, hex and ASCII, for output a terminal shows wrongly or not at all.
import { hexDump, type RecentBytes } from '../lib/hex.js';

const SHOWN_BYTES = 2048;

export function HexPanel({ recent, tick }: { recent: RecentBytes; tick: number }) {
  const { bytes, offset } = recent.last(SHOWN_BYTES);
  return (
    <pre className="hex" aria-label="Hex view of the last output" data-tick={tick} tabIndex={0}>
      {bytes.length === 0 ? 'No output yet.' : hexDump(bytes, offset).join('\n')}
    </pre>
  );
}
