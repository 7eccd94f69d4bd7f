// Renders the panel with Ink to lines of text for the Screen to paint; loaded only once the console is up (Ink and
// React take a few hundred ms to load, and the first bytes of output should not wait for them).
import { renderToString } from 'ink';
import { Panel, type PanelView } from './panel.js';

export function renderPanel(view: PanelView): string[] {
  return renderToString(<Panel view={view} />, { columns: view.columns }).split('\n');
}
