// A board host's coordinators, as `--join` and config `join.url` take them: one URL, or several separated by commas
// (coordinators sharing one PostgreSQL database). The host dials the first; when it cannot reach the one it was on,
// it tries the next.

/** The URLs in the order given; blanks around commas are ignored. */
export function joinUrls(text: string): string[] {
  return text
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
}

/** The first of them that is not a ws://, wss://, http:// or https:// URL (null: all are; '' when there is none). */
export function badJoinUrl(text: string): string | null {
  const urls = joinUrls(text);
  if (urls.length === 0) return '';
  return urls.find((u) => !isJoinUrl(u)) ?? null;
}

function isJoinUrl(text: string): boolean {
  try {
    return ['ws:', 'wss:', 'http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
