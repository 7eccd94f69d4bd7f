// What the `fbay sandbox …` commands share: their lazy loading, the id argument's help, and sandbox hints on errors.
import type { CliContext } from '../context.js';

export const ID_HELP = 'sandbox id (default: the single live sandbox)';

export async function load(ctx: CliContext) {
  const [{ daemonClient }, sandboxes, view, { emit }] = await Promise.all([
    import('../client/connect.js'),
    import('../services/sandboxes.js'),
    import('../output/sandbox-view.js'),
    import('../output/print.js'),
  ]);
  return { client: daemonClient(ctx), sandboxes, view, emit };
}

/** An action whose errors get a next step about sandboxes (see services/sandboxes' sandboxHint). */
export function hinted<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await fn(...args);
    } catch (err) {
      throw (await import('../services/sandboxes.js')).sandboxHint(err);
    }
  };
}
