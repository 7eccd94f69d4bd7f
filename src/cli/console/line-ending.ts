// What the Enter key sends to the board: CR (the default, what a terminal sends), LF or CRLF; `n` cycles through them.

export const LINE_ENDINGS = ['cr', 'lf', 'crlf'] as const;
export type LineEnding = (typeof LINE_ENDINGS)[number];

const BYTES: Record<LineEnding, Buffer> = { cr: Buffer.of(0x0d), lf: Buffer.of(0x0a), crlf: Buffer.of(0x0d, 0x0a) };

export function nextLineEnding(current: LineEnding): LineEnding {
  return LINE_ENDINGS[(LINE_ENDINGS.indexOf(current) + 1) % LINE_ENDINGS.length]!;
}

export function lineEndingLabel(eol: LineEnding): string {
  return eol.toUpperCase();
}

/** Typed bytes with each CR (Enter, or a newline in a paste) sent as the chosen line ending. */
export function applyLineEnding(bytes: Buffer, eol: LineEnding): Buffer {
  if (eol === 'cr' || !bytes.includes(0x0d)) return bytes;
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(0x0d); i >= 0; i = bytes.indexOf(0x0d, start)) {
    parts.push(bytes.subarray(start, i), BYTES[eol]);
    start = i + 1;
  }
  parts.push(bytes.subarray(start));
  return Buffer.concat(parts);
}
