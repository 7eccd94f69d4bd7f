// Header names both sides of the API use, in one place.

export const HEADERS = {
  /** Every request and answer carries the fbay version; CLI and daemon of different versions refuse each other. */
  version: 'fbay-version',
  /** The remote host a request is for (`--remote NAME`); absent: this host, or config default_remote. */
  remote: 'fbay-remote',
  /** The same key with the same body gives the same session (DESIGN §3). */
  idempotencyKey: 'idempotency-key',
  /** How many transcript bytes there are, on GET …/log. */
  logEnd: 'fbay-log-end',
  /** POST …/flash: the images in the octet-stream body, in order: [{"name", "size", "offset"}] (offset null: by kind). */
  flashImages: 'fbay-flash-images',
  /** Coordinator to coordinator: the coordinator a request for a session the other runs was passed through. */
  forwardedBy: 'fbay-forwarded-by',
} as const;
