// The images of a flash as the page describes them to the daemon: offsets as `fbay flash` reads them, the
// fbay-flash-images header, and whether they can fit the board's flash at all.

/** `0x8000` or `32768` → the number; empty → null (by kind); anything else → undefined. */
export function parseOffset(text: string): number | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The header's JSON with every non-ASCII character escaped: a header value is bytes, and a file may be named "Прошивка.bin". */
export function imagesHeader(images: ReadonlyArray<{ name: string; size: number; offset: number | null }>): string {
  return JSON.stringify(images.map((i) => ({ name: i.name, size: i.size, offset: i.offset }))).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** True when the upload cannot fit the board's flash (`limit`, from GET /v1/boards); null limit: only the daemon knows. */
export function overLimit(sizes: readonly number[], limit: number | null): boolean {
  if (limit === null) return false;
  return sizes.some((s) => s > limit) || sizes.reduce((a, b) => a + b, 0) > limit;
}
