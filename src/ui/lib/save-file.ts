// Saves what the API answered as a file: the page's GETs carry the CSRF header, so a plain link cannot download.
import { request } from '../api.js';

export async function saveFrom(path: string, filename: string): Promise<void> {
  const blob = await (await request('GET', path, undefined, { accept: '*/*' })).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy once it started.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
