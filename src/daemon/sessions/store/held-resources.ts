// Which resources this coordinator's own sessions hold, as far as it has written them. A create offers PostgreSQL
// the candidates believed free first, and only a few: fbay_insert then looks at a handful of rows, not at every board
// of the type (with 1,000 boards most of them held, that scan was most of the database's work per create).
// PostgreSQL stays the judge: a wrong guess costs one more call, with every candidate.
import type { CoreRecord } from '../record.js';

/** How many believed-free candidates the first call offers. */
export const FIRST_TRY = 4;

export class HeldResources {
  private readonly bySession = new Map<string, string>();
  private readonly holders = new Map<string, string>();
  /** Candidates a create under way was offered first: concurrent creates are offered different ones. */
  private readonly offered = new Set<string>();

  /** A session as written or read: it holds its resource while it is live. */
  note(s: CoreRecord, live: boolean): void {
    const before = this.bySession.get(s.id);
    if (before !== undefined && (!live || before !== s.resource)) {
      this.bySession.delete(s.id);
      if (this.holders.get(before) === s.id) this.holders.delete(before);
    }
    if (live && s.resource) {
      this.bySession.set(s.id, s.resource);
      this.holders.set(s.resource, s.id);
    }
  }

  /**
   * Up to FIRST_TRY candidates believed free that no other create under way was offered (marked offered until
   * `release`), and every candidate with the ones believed free first, each group in the order given.
   */
  pick(candidates: readonly string[]): { first: string[]; all: string[] } {
    const first: string[] = [];
    const free: string[] = [];
    const held: string[] = [];
    for (const c of candidates) {
      if (this.holders.has(c)) held.push(c);
      else {
        free.push(c);
        if (first.length < FIRST_TRY && !this.offered.has(c)) first.push(c);
      }
    }
    for (const c of first) this.offered.add(c);
    return { first, all: free.concat(held) };
  }

  /** The create that was offered these is done (the one it took is noted as held by then). */
  release(offered: readonly string[]): void {
    for (const c of offered) this.offered.delete(c);
  }
}
