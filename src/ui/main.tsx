// The dashboard's entry: keeps the CSRF token a login page carried (then drops the login URL), and renders the app.
import { createRoot } from 'react-dom/client';
import './styles.css';
import { csrf, getMe, prefetch } from './api.js';
import { App } from './app.js';

const token = document.querySelector<HTMLMetaElement>('meta[name="fbay-csrf"]')?.content;
if (token) {
  csrf.set(token);
  // The one-time link is spent: a reload of it would only say so.
  history.replaceState(null, '', '/ui/');
}

// Asked for before React starts: who is logged in and, for a page that was logged in before, the boards.
const me = getMe();
if (csrf.get() && !/^#\/(sessions|sandboxes|browsers|account|host)/.test(location.hash)) prefetch('/v1/boards');

createRoot(document.getElementById('root')!).render(<App first={me} />);
