// One way to print a result: the object as JSON with --json, else its human view.
import type { Io } from '../context.js';
import { printJson } from './json.js';

export function emit<T>(io: Io, json: boolean, value: T, human: (value: T) => string): void {
  if (json) printJson(io, value);
  else io.out(human(value));
}
