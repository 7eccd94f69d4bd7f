// The dashboard's first page rendered by the daemon, from the page's own components: the login link's answer then
// shows the boards before the page's script has loaded. The page replaces it with its own first render, which is
// the same markup (it starts from the same data); nothing is hydrated, so a difference costs nothing but a repaint.
import { renderToString } from 'react-dom/server';
import { App } from './app.js';
import { setBoot, type Boot } from './boot.js';

export type { Boot };

export function renderFirstPage(boot: Boot): string {
  setBoot({ me: boot.me, data: { ...boot.data } });
  try {
    return renderToString(<App first={Promise.resolve(boot.me)} known={boot.me} />);
  } finally {
    setBoot(null);
  }
}
