// The gathering of reads: one fetch in flight at a time, the keys asked for meanwhile fetched together after it.
import { describe, expect, it } from 'vitest';
import { Gathered } from '../../../../src/daemon/sessions/store/pg-reader.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('Gathered', () => {
  it('fetches the keys of one turn together, and those asked for during a fetch together after it', async () => {
    const calls: string[][] = [];
    const answers: Array<ReturnType<typeof deferred<Map<string, number>>>> = [];
    const g = new Gathered<string, number>((keys) => {
      calls.push(keys);
      const d = deferred<Map<string, number>>();
      answers.push(d);
      return d.promise;
    });
    const first = [g.get('a'), g.get('b'), g.get('a')];
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([['a', 'b']]);
    // Asked for while the first fetch is under way: none is fetched until it is done, then all at once.
    const second = [g.get('c'), g.get('a'), g.get('d')];
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(1);
    answers[0]!.resolve(new Map([['a', 1], ['b', 2]]));
    expect(await Promise.all(first)).toEqual([1, 2, 1]);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([['a', 'b'], ['c', 'a', 'd']]);
    answers[1]!.resolve(new Map([['a', 10], ['c', 3]]));
    expect(await Promise.all(second)).toEqual([3, 10, undefined]);
  });

  it('rejects every waiter of a fetch that failed, and goes on with the next', async () => {
    let n = 0;
    const g = new Gathered<string, number>(async (keys) => {
      if (n++ === 0) throw new Error('connection reset');
      return new Map(keys.map((k) => [k, k.length]));
    });
    const failed = Promise.allSettled([g.get('x'), g.get('yy')]);
    expect((await failed).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await g.get('zzz')).toBe(3);
  });
});
