// The first-come queue of sessions waiting for a resource (a board, a browser slot), every kind in one order.

export class WaitQueue {
  private readonly ids: string[] = [];

  add(id: string): void {
    if (!this.ids.includes(id)) this.ids.push(id);
  }

  remove(id: string): boolean {
    const i = this.ids.indexOf(id);
    if (i < 0) return false;
    this.ids.splice(i, 1);
    return true;
  }

  /** 1-based place among the waiting sessions that `sameQueue` says share its queue; null when not waiting. */
  position(id: string, sameQueue: (other: string) => boolean): number | null {
    if (!this.ids.includes(id)) return null;
    let n = 0;
    for (const other of this.ids) {
      if (sameQueue(other)) n++;
      if (other === id) return n;
    }
    return null;
  }

  /** A copy, oldest first: draining may change the queue while it walks. */
  snapshot(): string[] {
    return [...this.ids];
  }

  get length(): number {
    return this.ids.length;
  }
}
