// Test helper: the error a call throws (a test of refusals reads its message and exit status).
export function thrown<E = { message: string; exit: number }>(fn: () => unknown): E {
  try {
    fn();
  } catch (err) {
    return err as E;
  }
  throw new Error('expected an error');
}
