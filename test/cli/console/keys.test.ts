import { describe, expect, it } from 'vitest';
import { CTRL_RBRACKET, CTRL_T, KeyRouter, describeKey, type KeyAction } from '../../../src/cli/console/keys.js';

const b = (...parts: (string | number)[]) => Buffer.concat(parts.map((p) => (typeof p === 'number' ? Buffer.of(p) : Buffer.from(p, 'latin1'))));
const sent = (actions: KeyAction[]) => Buffer.concat(actions.flatMap((a) => (a.type === 'send' ? [a.bytes] : []))).toString('latin1');
const commands = (actions: KeyAction[]) => actions.flatMap((a) => (a.type === 'command' ? [a.command] : []));

describe('KeyRouter', () => {
  it('sends plain typing as the same chunk, byte for byte, Ctrl-C and escape sequences included', () => {
    const keys = new KeyRouter();
    const chunk = b('ls -l', 0x03, '\x1b[A', 0x0d, 0xff);
    const actions = keys.feed(chunk);
    expect(actions).toEqual([{ type: 'send', bytes: chunk }]);
    expect(actions[0]!.type === 'send' && actions[0].bytes).toBe(chunk); // no copy on the fast path
  });

  it('maps every key after Ctrl-T to its command, and sends what comes around it', () => {
    const keys = new KeyRouter();
    expect(commands(keys.feed(b(CTRL_T, 'r')))).toEqual(['reset']);
    const actions = keys.feed(b('ab', CTRL_T, 'k', 'cd'));
    expect(sent(actions)).toBe('abcd');
    expect(commands(actions)).toEqual(['break']);
    const all = 'qrbkhtlEn'.split('').flatMap((k) => commands(keys.feed(b(CTRL_T, k))));
    expect(all).toEqual(['quit', 'reset', 'bootloader', 'break', 'hex', 'timestamps', 'log', 'echo', 'eol']);
  });

  it('keeps the escape state across chunks (a Ctrl-T at the end of one read)', () => {
    const keys = new KeyRouter();
    expect(keys.feed(b('x', CTRL_T))).toEqual([{ type: 'send', bytes: b('x') }]);
    expect(keys.mode).toBe('escape');
    expect(commands(keys.feed(b('h')))).toEqual(['hex']);
    expect(keys.mode).toBe('normal');
  });

  it('Ctrl-T Ctrl-T sends one Ctrl-T, Ctrl-T Ctrl-] sends a Ctrl-]', () => {
    const keys = new KeyRouter();
    expect(sent(keys.feed(b(CTRL_T, CTRL_T)))).toBe('\x14');
    expect(sent(keys.feed(b(CTRL_T, CTRL_RBRACKET)))).toBe('\x1d');
  });

  it('Ctrl-] quits at once; what follows it in the chunk is not sent', () => {
    const keys = new KeyRouter();
    const actions = keys.feed(b('ab', CTRL_RBRACKET, 'cd'));
    expect(actions).toEqual([{ type: 'send', bytes: b('ab') }, { type: 'command', command: 'quit' }]);
  });

  it('names an unknown command key and goes back to typing', () => {
    const keys = new KeyRouter();
    expect(keys.feed(b(CTRL_T, 'z', 'y'))).toEqual([{ type: 'unknown-key', key: 'z' }, { type: 'send', bytes: b('y') }]);
    // An arrow key after Ctrl-T: the ESC is named, the rest of the sequence is not sent to the board.
    expect(keys.feed(b(CTRL_T, '\x1b[A'))).toEqual([{ type: 'unknown-key', key: '0x1b' }]);
  });

  it('the help overlay takes the next key to close itself, and nothing of it reaches the board', () => {
    const keys = new KeyRouter();
    expect(commands(keys.feed(b(CTRL_T, '?')))).toEqual(['help']);
    expect(keys.mode).toBe('help');
    expect(keys.feed(b('x'))).toEqual([{ type: 'close-help' }]);
    expect(keys.mode).toBe('normal');
  });

  it('asks before ending: y ends, anything else keeps the session', () => {
    const keys = new KeyRouter();
    expect(commands(keys.feed(b(CTRL_T, 'e')))).toEqual(['end']);
    expect(keys.feed(b('y'))).toEqual([{ type: 'confirm-end', yes: true }]);
    keys.feed(b(CTRL_T, 'e'));
    expect(keys.feed(b('n', 'more'))).toEqual([{ type: 'confirm-end', yes: false }, { type: 'send', bytes: b('more') }]);
  });

  it('reads a baud rate: digits, backspace, Enter; Esc or an empty line cancels', () => {
    const keys = new KeyRouter();
    keys.feed(b(CTRL_T, 'B'));
    expect(keys.mode).toBe('baud');
    expect(keys.feed(b('9', 'x', '6', 0x7f, '2'))).toEqual([
      { type: 'baud-edit', text: '9' },
      { type: 'baud-edit', text: '96' },
      { type: 'baud-edit', text: '9' },
      { type: 'baud-edit', text: '92' },
    ]);
    expect(keys.baudText).toBe('92');
    expect(keys.feed(b('1600', 0x0d))).toContainEqual({ type: 'baud-set', rate: 921600 });
    keys.feed(b(CTRL_T, 'B'));
    expect(keys.feed(b('\x1b[B'))).toEqual([{ type: 'baud-cancel' }]); // the arrow key's tail is dropped too
    keys.feed(b(CTRL_T, 'B'));
    expect(keys.feed(b(0x0d))).toEqual([{ type: 'baud-cancel' }]);
    expect(keys.mode).toBe('normal');
  });

  it('Ctrl-T f asks for a file: typed text (UTF-8) and Backspace edit it, Enter flashes it, Esc or an empty Enter cancel', () => {
    const keys = new KeyRouter();
    expect(commands(keys.feed(b(CTRL_T, 'f')))).toEqual(['flash']);
    expect(keys.mode).toBe('path');
    expect(keys.feed(b('ab', 0x7f, 'c'))).toEqual([
      { type: 'path-edit', text: 'a' },
      { type: 'path-edit', text: 'ab' },
      { type: 'path-edit', text: 'a' },
      { type: 'path-edit', text: 'ac' },
    ]);
    const actions = keys.feed(Buffer.concat([Buffer.from('/é.bin '), b(0x0d)]));
    expect(actions.at(-1)).toEqual({ type: 'path-set', path: 'ac/é.bin' });
    expect(keys.mode).toBe('normal');
    expect(sent(keys.feed(b('x')))).toBe('x'); // typing goes to the board again
    keys.feed(b(CTRL_T, 'f', 'z'));
    expect(keys.feed(b('\x1b[A'))).toEqual([{ type: 'prompt-cancel' }]); // the arrow key's tail is dropped too
    keys.feed(b(CTRL_T, 'f'));
    expect(keys.feed(b(0x0d))).toEqual([{ type: 'prompt-cancel' }]);
    keys.feed(b(CTRL_T, 'f', 'q'));
    expect(keys.feed(b(0x03))).toEqual([{ type: 'prompt-cancel' }]); // Ctrl-C cancels, and is not sent
  });

  it('Ctrl-T p then c, 0 or 1 cycles, switches off or on; any other key cancels', () => {
    const keys = new KeyRouter();
    expect(commands(keys.feed(b(CTRL_T, 'p')))).toEqual(['power']);
    expect(keys.mode).toBe('power');
    expect(keys.feed(b('c'))).toEqual([{ type: 'power-set', action: 'cycle' }]);
    expect(keys.feed(b(CTRL_T, 'p', '0')).at(-1)).toEqual({ type: 'power-set', action: 'off' });
    expect(keys.feed(b(CTRL_T, 'p', '1')).at(-1)).toEqual({ type: 'power-set', action: 'on' });
    expect(keys.feed(b(CTRL_T, 'p', 'x', 'y'))).toEqual([{ type: 'command', command: 'power' }, { type: 'prompt-cancel' }, { type: 'send', bytes: b('y') }]);
  });

  it('Ctrl-] quits from a prompt or the help as well', () => {
    const keys = new KeyRouter();
    keys.feed(b(CTRL_T, 'B'));
    expect(commands(keys.feed(b(CTRL_RBRACKET)))).toEqual(['quit']);
  });

  it('describes keys as the help names them', () => {
    expect(describeKey(0x61)).toBe('a');
    expect(describeKey(0x01)).toBe('Ctrl-A');
    expect(describeKey(0x00)).toBe('0x00');
  });
});
