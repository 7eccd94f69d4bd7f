import { describe, expect, it } from 'vitest';
import { FIRST_TRY, HeldResources } from '../../../../src/daemon/sessions/store/held-resources.js';
import { coreRecord } from './core-record.js';

const boards = (n: number) => Array.from({ length: n }, (_, i) => `c/virtual-${i + 1}`);

describe('HeldResources', () => {
  it('offers the candidates no live session holds first, in their order, and every candidate after', () => {
    const held = new HeldResources();
    held.note(coreRecord('s1', { resource: 'c/virtual-1' }), true);
    held.note(coreRecord('s2', { resource: 'c/virtual-3' }), true);
    const { first, all } = held.pick(boards(8));
    expect(first).toEqual(['c/virtual-2', 'c/virtual-4', 'c/virtual-5', 'c/virtual-6'].slice(0, FIRST_TRY));
    expect(all()).toEqual(['c/virtual-2', 'c/virtual-4', 'c/virtual-5', 'c/virtual-6', 'c/virtual-7', 'c/virtual-8', 'c/virtual-1', 'c/virtual-3']);
  });

  it('offers creates under way different candidates until each is released', () => {
    const held = new HeldResources();
    const a = held.pick(boards(10)).first;
    const b = held.pick(boards(10)).first;
    expect(new Set([...a, ...b]).size).toBe(a.length + b.length);
    held.release(a);
    expect(held.pick(boards(10)).first).toEqual(a);
  });

  it('frees a resource once its session ends or moves to another', () => {
    const held = new HeldResources();
    const s = coreRecord('s1', { resource: 'c/virtual-1' });
    held.note(s, true);
    expect(held.pick(boards(2)).all()).toEqual(['c/virtual-2', 'c/virtual-1']);
    held.note({ ...s, resource: 'c/virtual-2' }, true);
    expect(held.pick(boards(2)).all()).toEqual(['c/virtual-1', 'c/virtual-2']);
    held.note({ ...s, state: 'ended', resource: 'c/virtual-2' }, false);
    expect(held.pick(boards(2)).all()).toEqual(['c/virtual-1', 'c/virtual-2']);
  });

  it('skips a long held run at the head of a list, and looks from its start again once one of them is let go', () => {
    const held = new HeldResources();
    const list = boards(1000);
    for (let i = 0; i < 900; i++) held.note(coreRecord(`s${i}`, { resource: list[i]! }), true);
    const first = held.pick(list).first;
    expect(first).toEqual(list.slice(900, 900 + FIRST_TRY));
    held.release(first);
    // A fresh copy of the list (each create makes its own) is seen the same way.
    expect(held.pick([...list]).first).toEqual(list.slice(900, 900 + FIRST_TRY));
    held.release(list.slice(900, 900 + FIRST_TRY));
    held.note(coreRecord('s7', { state: 'ended', resource: list[7]! }), false);
    expect(held.pick(list).first).toEqual([list[7], ...list.slice(900, 900 + FIRST_TRY - 1)]);
  });
});
