import { describe, expect, it } from 'vitest';
import { Screen, cutToWidth } from '../../../src/cli/console/screen.js';
import { Vt } from './vt.js';

const lines = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `line ${from + i}\r\n`).join('');

describe('Screen', () => {
  it('keeps the panel on the bottom row while output scrolls above it into the scrollback', () => {
    const vt = new Vt(40, 6);
    const screen = new Screen(vt);
    screen.show(['status']);
    vt.write(lines(12));
    vt.write('prompt> ');
    expect(vt.lines).toEqual(['line 9', 'line 10', 'line 11', 'line 12', 'prompt>', 'status']);
    expect(vt.history).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8']);
    // A repaint leaves the cursor where output left it: the prompt goes on on its own line.
    screen.show(['status 2']);
    vt.write('typed');
    expect(vt.lines.slice(-2)).toEqual(['prompt> typed', 'status 2']);
  });

  it('makes room below the cursor on first show, without moving what is on screen', () => {
    const vt = new Vt(20, 4);
    vt.write('a\r\nb\r\nc\r\nd'); // the cursor is on the last row
    new Screen(vt).show(['S']);
    expect(vt.lines).toEqual(['b', 'c', 'd', 'S']);
    expect(vt.history).toEqual(['a']);
    vt.write('e');
    expect(vt.row(2)).toBe('de');
  });

  it('never wraps a panel line wider than the terminal into the output', () => {
    const vt = new Vt(10, 5);
    const screen = new Screen(vt);
    vt.write('out\r\n');
    screen.show(['0123456789ABCDEF']);
    expect(vt.lines).toEqual(['out', '', '', '', '0123456789']);
    vt.write('next');
    expect(vt.lines).toEqual(['out', 'next', '', '', '0123456789']);
  });

  it('grows for an overlay by scrolling output up, and gives the rows back when it closes', () => {
    const vt = new Vt(20, 6);
    const screen = new Screen(vt);
    screen.show(['S']);
    vt.write(lines(5)); // fills the region
    // The cursor was on the empty line after "line 5": it moves up with the output.
    screen.show(['help 1', 'help 2', 'S']);
    expect(vt.lines).toEqual(['line 4', 'line 5', '', 'help 1', 'help 2', 'S']);
    expect(vt.history.at(-1)).toBe('line 3');
    vt.write('x');
    expect(vt.row(2)).toBe('x');
    screen.show(['S']);
    expect(vt.lines).toEqual(['line 4', 'line 5', 'x', '', '', 'S']);
    vt.write('\r\nmore');
    expect(vt.row(3)).toBe('more');
  });

  it('shows only what fits: a panel taller than the terminal keeps a row for output', () => {
    const vt = new Vt(20, 5);
    const screen = new Screen(vt);
    expect(screen.room()).toBe(3);
    screen.show(['1', '2', '3']);
    expect(screen.height).toBe(3);
    expect(new Screen(new Vt(20, 3)).room()).toBe(0);
  });

  it('after a resize, repaints at the new bottom and new width, and clears the stale panel below the cursor', () => {
    const vt = new Vt(30, 8);
    const screen = new Screen(vt);
    screen.show(['a status line that is long']);
    vt.write(lines(3));
    vt.resize(12, 10); // taller: tmux pulls nothing back (no history), the old panel row is below the cursor
    screen.show(['a status line that is long']);
    expect(vt.lines).toEqual(['line 1', 'line 2', 'line 3', '', '', '', '', '', '', 'a status lin']);
    vt.resize(12, 4); // shorter: output leaves at the top
    screen.show(['short']);
    expect(vt.row(3)).toBe('short');
    vt.write('x\r\ny\r\n');
    expect(vt.row(3)).toBe('short');
    expect(vt.lines.filter((l) => l.startsWith('a status'))).toEqual([]);
  });

  it('cuts lines by columns, keeping colour sequences whole', () => {
    expect(cutToWidth('\x1b[32mabcdef\x1b[39m', 3)).toBe('\x1b[32mabc\x1b[39m');
    expect(cutToWidth('ab│cd', 3)).toBe('ab│');
    expect(cutToWidth('short', 10)).toBe('short');
  });

  it('release gives the rows back: no scroll region, the panel erased, the cursor where output left it', () => {
    const vt = new Vt(20, 4);
    const screen = new Screen(vt);
    screen.show(['S']);
    vt.write('out');
    screen.release();
    expect(vt.lines).toEqual(['out', '', '', '']);
    vt.write('\r\n1\r\n2\r\n3\r\n4');
    expect(vt.lines).toEqual(['1', '2', '3', '4']); // the whole screen scrolls again
  });
});
