// The dashboard's entry, kept small: it keeps the CSRF token a login page carried and drops the spent login URL at
// once; a page the daemon drew (the login link's boards) is painted before the app's script — React is most of it —
// is loaded and run; any other page starts the app at once.
import './styles.css';
import { csrf } from './api.js';

const token = document.querySelector<HTMLMetaElement>('meta[name="fbay-csrf"]')?.content;
if (token) {
  csrf.set(token);
  // The one-time link is spent: a reload of it would only say so.
  history.replaceState(null, '', '/ui/');
}

const start = () => void import('./start.js');
if (document.querySelector('meta[name="fbay-boot"]')) requestAnimationFrame(() => setTimeout(start));
else start();
