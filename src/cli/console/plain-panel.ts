// The status line as plain text, shown for the moment before Ink has loaded (and where Ink cannot be loaded).
import { SEPARATOR, fitSegments, textWidth } from './status-model.js';
import type { PanelView } from './panel.js';

export function plainPanel(view: PanelView): string[] {
  const line = ` ${fitSegments(view.segments, view.columns)
    .map((s) => s.text)
    .join(SEPARATOR)}`;
  return [cut(line, view.columns)];
}

function cut(text: string, columns: number): string {
  if (textWidth(text) <= columns) return text;
  return `${[...text].slice(0, Math.max(0, columns - 1)).join('')}…`;
}
