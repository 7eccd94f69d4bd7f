// The dashboard's entry, kept small: a page the daemon drew (the login link's boards) is painted before the app's
// script — React is most of it — is loaded and run; any other page starts the app at once.
import './styles.css';

const start = () => void import('./start.js');
if (document.querySelector('meta[name="fbay-boot"]')) requestAnimationFrame(() => setTimeout(start));
else start();
