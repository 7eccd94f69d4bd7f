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
  /** Per list of candidates (by its first and its length): how many lead it that were all held at the last look. */
  private heldUpTo = new Map<string, number>();

  /** A session as written or read: it holds its resource while it is live. */
  note(s: CoreRecord, live: boolean): void {
    const before = this.bySession.get(s.id);
    if (before !== undefined && (!live || before !== s.resource)) {
      this.bySession.delete(s.id);
      if (this.holders.get(before) === s.id) this.holders.delete(before);
      // A resource let go may be anywhere in a list: every list is looked at from its start again.
      if (this.heldUpTo.size) this.heldUpTo = new Map();
    }
    if (live && s.resource) {
      this.bySession.set(s.id, s.resource);
      this.holders.set(s.resource, s.id);
    }
  }

  /**
   * Up to FIRST_TRY candidates believed free that no other create under way was offered (marked offered until
   * `release`), and — only if asked for, when none of those could be taken — every candidate with the ones believed
   * free first, each group in the order given. One pass that stops at FIRST_TRY: a create costs no list of every board.
   */
  pick(candidates: readonly string[]): { first: string[]; all(): string[] } {
    const first: string[] = [];
    // Boards are taken in order, so a long run of held ones leads the list: it is skipped from where the last look
    // at a list like this one ended (a hint only; the fallback still has every candidate).
    const shape = `${candidates[0]}\u0000${candidates.length}`;
    let start = this.heldUpTo.get(shape) ?? 0;
    while (start < candidates.length && this.holders.has(candidates[start]!)) start++;
    this.heldUpTo.set(shape, start);
    for (let i = start; i < candidates.length && first.length < FIRST_TRY; i++) {
      const c = candidates[i]!;
      if (!this.holders.has(c) && !this.offered.has(c)) first.push(c);
    }
    for (const c of first) this.offered.add(c);
    const all = () => {
      const free: string[] = [];
      const held: string[] = [];
      for (const c of candidates) (this.holders.has(c) ? held : free).push(c);
      return free.concat(held);
    };
    return { first, all };
  }

  /** The create that was offered these is done (the one it took is noted as held by then). */
  release(offered: readonly string[]): void {
    for (const c of offered) this.offered.delete(c);
  }
}
