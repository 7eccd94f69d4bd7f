// How a flash fails, each with a sentence that says what happened and what to do, and where a retry can resume.

export type FlashFailure = 'no_sync' | 'wrong_chip' | 'port_lost' | 'md5_mismatch' | 'aborted' | 'protocol';

/**
 * Where a flash stopped: images before `image` are written and verified; `bytes` of image `image` are in flash
 * (acknowledged by the ROM, which writes a block before it answers). Hand it back as `resume` to carry on.
 */
export interface FlashResume {
  image: number;
  bytes: number;
}

export class FlashError extends Error {
  constructor(
    readonly kind: FlashFailure,
    message: string,
    readonly details: {
      resume?: FlashResume;
      /** Flash offset the write had reached. */
      offset?: number;
      /** The image whose verification failed, by name. */
      image?: string;
      /** The last output the board printed while fbay tried to reach its ROM. */
      bootOutput?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'FlashError';
  }
}

/** A command the ROM answered with a failure status. */
export class CommandFailed extends Error {
  constructor(
    readonly op: number,
    readonly status: number,
    readonly error: number,
    what: string,
  ) {
    super(`the board's ROM refused ${what} (status ${status}, error 0x${error.toString(16)})`);
    this.name = 'CommandFailed';
  }
}

/** No answer within esptool's timeout for the command. */
export class CommandTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`no answer to ${what} within ${ms / 1000} s`);
    this.name = 'CommandTimeout';
  }
}

/** The port closed under the flasher (unplugged, re-enumerated, lost). */
export class PortGone extends Error {
  constructor(label: string, cause?: unknown) {
    super(`the port ${label} went away`, cause === undefined ? undefined : { cause });
    this.name = 'PortGone';
  }
}

export class Aborted extends Error {
  constructor() {
    super('flashing was stopped');
    this.name = 'Aborted';
  }
}
