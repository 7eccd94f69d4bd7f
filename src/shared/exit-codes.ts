// The CLI's exit codes (one table for every command), shared by the CLI, the error taxonomy and the wire errors.

export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  daemon_unavailable: 3,
  not_found: 4,
  conflict: 5,
  payment: 6,
  limit: 7,
  timeout: 8,
  isolation_unavailable: 9,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
