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

/**
 * Bytes that are not a readable AMQP field table: an unknown type tag, a length past the table's
 * end, or nesting deeper than the decoder accepts. Fix the publisher that wrote the headers.
 */
export class InvalidFieldTableError extends Error {
  override readonly name = 'InvalidFieldTableError';
}
