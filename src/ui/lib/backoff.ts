// Retry delays for the page's reconnects: doubling from `first` up to `max`, jittered so many tabs do not retry in step.

export function retryDelay(attempt: number, first = 250, max = 5000, random = Math.random): number {
  const ceiling = Math.min(max, first * 2 ** attempt);
  return ceiling * (0.5 + random() / 2);
}
