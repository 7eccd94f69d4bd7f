import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { HelpOverlay, Panel, StatusLine } from '../../../src/cli/console/panel.js';
import { renderPanel } from '../../../src/cli/console/ink-panel.js';
import { COMMAND_KEYS } from '../../../src/cli/console/keys.js';
import { ConsoleModel, statusSegments } from '../../../src/cli/console/status-model.js';
import { aSession } from '../helpers/sessions.js';

const T0 = Date.parse('2030-01-01T00:10:00.000Z');
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const width = (line: string) => [...strip(line)].length;

function segments(columns = 120) {
  const m = new ConsoleModel(aSession({ state: 'idle', idle_deadline: new Date(T0 + 20_000).toISOString(), started_at: '2030-01-01T00:00:00.000Z' }), T0);
  m.link = 'open';
  m.balance = 12;
  return { segments: statusSegments(m, T0), columns };
}

let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
});

function frame(node: React.ReactElement): string {
  const r = render(node);
  cleanup = r.unmount;
  return strip(r.lastFrame() ?? '');
}

describe('StatusLine', () => {
  it('shows the session, state with its countdown, elapsed time, meter and hint in one line', () => {
    const { segments: s } = segments();
    const out = frame(<StatusLine segments={s} columns={120} />);
    expect(out.split('\n')).toHaveLength(1);
    expect(out).toBe(' ses_aaaaaaaaaaaaaaaaaaaaaaaa │ virtual-1 │ ● idle · ends in 20s │ 10m │ 1 cr · 1/min · bal 12 │ CR │ ^T ? help');
  });

  it('drops the least useful pieces in a narrower terminal, and cuts, never wraps, in a very narrow one', () => {
    const { segments: s } = segments();
    const medium = frame(<StatusLine segments={s} columns={60} />);
    expect(medium).toBe(' ses_aaa…aa │ virtual-1 │ ● idle · ends in 20s │ ^T ? help');
    cleanup?.();
    // The state and its countdown matter most: they are what is left, cut to the width.
    const tiny = frame(<StatusLine segments={s} columns={12} />);
    expect(tiny.split('\n')).toHaveLength(1);
    expect(width(tiny)).toBeLessThanOrEqual(12);
    expect(tiny.startsWith(' ● idle')).toBe(true);
  });
});

describe('HelpOverlay', () => {
  it('lists every command key with what it does, and how to close it', () => {
    const out = frame(<HelpOverlay columns={100} />);
    for (const [key, , what] of COMMAND_KEYS) expect(out).toMatch(new RegExp(`${key.replace('?', '\\?')}\\s+${what.slice(0, 12).replace(/[()]/g, '\\$&')}`));
    expect(out).toContain('press Ctrl-T, then:');
    expect(out).toContain('Ctrl-] quits at once');
    expect(out.split('\n').every((line) => width(line) <= 100)).toBe(true);
  });

  it('uses one column in a narrow terminal and stays inside it, wrapping between words', () => {
    const out = frame(<HelpOverlay columns={40} />);
    const lines = out.split('\n');
    expect(lines.every((line) => width(line) <= 40)).toBe(true);
    const text = lines.map((l) => l.replace(/^[│╭╰]\s?|\s*[│╮╯]$/g, '').trim()).join(' ');
    for (const [key, , what] of COMMAND_KEYS) expect(text.replace(/\s+/g, ' ')).toContain(`${key}${key.length < 3 ? ' '.repeat(3 - key.length) : ''}${what}`.replace(/\s+/g, ' '));
  });

  it('at 120 columns cuts no word: every line of the help is whole', () => {
    const out = frame(<HelpOverlay columns={120} />);
    expect(out).not.toContain('…');
    for (const [, , what] of COMMAND_KEYS) expect(out).toContain(what);
    expect(out).toContain('any other key goes to the board');
    expect(out).toContain('any key closes this help');
    expect(out.split('\n').every((line) => width(line) <= 120)).toBe(true);
  });

  it('in a 10-row pane it is compact and shows its first lines, quit among them', () => {
    const out = frame(<HelpOverlay columns={80} rows={10} />);
    const lines = out.split('\n');
    expect(lines.length).toBeLessThanOrEqual(10 - 3);
    expect(lines[1]).toContain('press Ctrl-T, then:');
    expect(lines[2]).toMatch(/q quit · e end · r reset/);
    expect(out).toContain('? help');
  });
});

describe('Panel', () => {
  it('puts the help above the status line, and a prompt when one is open', () => {
    const view = segments(100);
    const help = frame(<Panel view={{ ...view, overlay: { kind: 'help' } }} />).split('\n');
    expect(help[0]).toMatch(/^╭/);
    expect(help.at(-1)).toMatch(/^ ses_/);
    cleanup?.();
    const confirm = frame(<Panel view={{ ...view, overlay: { kind: 'confirm-end', id: 'ses_x' } }} />).split('\n');
    expect(confirm[0]).toContain('End session ses_x? It releases the board and stops the meter. y to end');
    cleanup?.();
    const baud = frame(<Panel view={{ ...view, overlay: { kind: 'baud', text: '9216' } }} />).split('\n');
    expect(baud[0]).toContain('Baud rate: 9216 Enter to set');
  });

  it('renders to lines for the screen, each within the width', () => {
    const lines = renderPanel({ ...segments(56), overlay: { kind: 'help' } });
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.every((line) => width(line) <= 56)).toBe(true);
    expect(strip(lines.at(-1)!)).toBe(' ses_aaa…aa │ ● idle · ends in 20s │ ^T ? help');
  });
});
