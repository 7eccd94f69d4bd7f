// Turns any Node process warning raised during a test into a test failure (STYLE.md §10).
import { afterEach } from 'vitest';

const warnings: Error[] = [];
process.on('warning', (w) => warnings.push(w));

afterEach(() => {
  if (warnings.length > 0) {
    const found = warnings.splice(0).map((w) => `${w.name}: ${w.message}`).join('\n');
    throw new Error(`Node warning during test:\n${found}`);
  }
});
