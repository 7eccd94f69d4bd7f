// The app's start: who is logged in (from the page, or asked), then the app.
import { createRoot } from 'react-dom/client';
import { csrf, getMe, prefetch } from './api.js';
import { App } from './app.js';
import { readPageBoot } from './boot.js';

// A page the daemon rendered (the login link's) came with who is logged in and the boards: the first render is the
// page already on screen. Otherwise both are asked for before React starts.
const boot = readPageBoot();
const me = boot ? Promise.resolve(boot.me) : getMe();
if (!boot && csrf.get() && !/^#\/(sessions|sandboxes|browsers|account|host)/.test(location.hash)) prefetch('/v1/boards');

createRoot(document.getElementById('root')!).render(<App first={me} known={boot?.me ?? null} />);
