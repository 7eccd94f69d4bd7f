// What the daemon put into a page it rendered itself (the login link's boards page): who is logged in and the data
// that page was rendered from, so the page's first render is the finished page and waits for no request.
import type { Me } from './api.js';

export const BOOT_META = 'fbay-boot';

export interface Boot {
  me: Me;
  /** GET answers by path, as the API gave them when the page was made. */
  data: Record<string, unknown>;
}

let boot: Boot | null = null;

/** The daemon renders with its own boot data; the page reads its from the meta tag, once. */
export function setBoot(next: Boot | null): void {
  boot = next;
}

export function readPageBoot(): Boot | null {
  const raw = document.querySelector<HTMLMetaElement>(`meta[name="${BOOT_META}"]`)?.content;
  if (!raw) return null;
  try {
    boot = JSON.parse(raw) as Boot;
  } catch {
    boot = null;
  }
  return boot;
}

/** The boot data for `path`, given once: a later mount of the same page loads it afresh. */
export function takeBooted<T>(path: string): T | null {
  if (!boot || !(path in boot.data)) return null;
  const value = boot.data[path] as T;
  delete boot.data[path];
  return value;
}
