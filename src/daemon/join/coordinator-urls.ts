// Which coordinator a board host dials: the first of its `--join` URLs, and the next one each time a try fails —
// except the first try after a tunnel dropped, which goes to the same coordinator again (a restart is the likeliest
// cause, and its sessions are there).
import { joinUrls } from '../../shared/join-urls.js';
import { API } from '../../transport/protocol/paths.js';

/** The coordinator's URL for the tunnel: ws(s)://HOST:PORT/v1/hosts/connect, whatever form it was given in. */
export function tunnelUrl(url: string): string {
  return `${url.replace(/\/+$/, '').replace(/^http/, 'ws')}${API.hostsConnect}`;
}

export class CoordinatorUrls {
  private readonly urls: string[];
  private at = 0;
  private justDropped = false;

  constructor(list: string) {
    this.urls = joinUrls(list);
    if (this.urls.length === 0) throw new Error('bug: --join was given no URL');
  }

  /** The coordinator dialled now. */
  get current(): string {
    return this.urls[this.at]!;
  }

  /** The open tunnel dropped. */
  dropped(): void {
    this.justDropped = true;
  }

  /**
   * A try failed: the coordinator the next one goes to (a new one only with several), and whether this "try" was the
   * open tunnel dropping (the next goes to the same coordinator).
   */
  failed(): { next: string; afterDrop: boolean } {
    const afterDrop = this.justDropped;
    this.justDropped = false;
    if (!afterDrop) this.at = (this.at + 1) % this.urls.length;
    return { next: this.current, afterDrop };
  }
}
