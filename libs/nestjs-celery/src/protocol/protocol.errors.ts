/** Why a message could not be read as a Celery task; stable codes for logs and dead-letter headers. */
export type InvalidTaskReason =
  | 'content-type'
  | 'content-encoding'
  | 'not-json'
  | 'body-shape'
  | 'missing-header'
  | 'bad-header'
  | 'undecodable-headers'
  | 'bad-time'
  | 'unknown-message';

/**
 * A message that is not a valid Celery task message. The worker rejects it (to the
 * dead-letter queue where one is configured) and logs one line with {@link reason}.
 */
export class InvalidTaskMessageError extends Error {
  override readonly name = 'InvalidTaskMessageError';

  constructor(
    /** Stable code for the kind of problem. */
    readonly reason: InvalidTaskReason,
    message: string,
  ) {
    super(message);
  }
}
