// The layout is the architecture: imports point down only (transport never imports daemon or cli, shared never
// imports transport), and no module imports itself back through others.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Each source file's relative imports, resolved to source files. */
function graph(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of files(SRC)) {
    const text = readFileSync(file, 'utf8');
    const deps = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n]*?from\s+'(\.[^']+)'/g)].map((m) =>
      resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')),
    );
    out.set(file, deps.map((d) => (out.has(d) || files(dirname(d)).includes(d) ? d : d.replace(/\.ts$/, '.tsx'))));
  }
  return out;
}

const layer = (file: string) => relative(SRC, file).split('/')[0]!;

describe('layers', () => {
  const g = graph();

  it('transport imports nothing from daemon or cli; shared imports nothing from transport, daemon or cli', () => {
    const wrong: string[] = [];
    for (const [file, deps] of g) {
      for (const dep of deps) {
        const from = layer(file);
        const to = layer(dep);
        if ((from === 'transport' && (to === 'daemon' || to === 'cli')) || (from === 'shared' && to !== 'shared')) {
          wrong.push(`${relative(SRC, file)} → ${relative(SRC, dep)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the CLI and the daemon do not import each other', () => {
    const wrong = [...g].flatMap(([file, deps]) =>
      deps.filter((d) => (layer(file) === 'cli' && layer(d) === 'daemon') || (layer(file) === 'daemon' && layer(d) === 'cli')).map((d) => `${relative(SRC, file)} → ${relative(SRC, d)}`),
    );
    expect(wrong).toEqual([]);
  });

  it('has no import circles', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      stack.push(file);
      for (const dep of g.get(file) ?? []) {
        if (state.get(dep) === 'open') circles.push([...stack.slice(stack.indexOf(dep)), dep].map((f) => relative(SRC, f)).join(' → '));
        else if (!state.has(dep) && g.has(dep)) visit(dep);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of g.keys()) if (!state.has(file)) visit(file);
    expect(circles).toEqual([]);
  });
});
