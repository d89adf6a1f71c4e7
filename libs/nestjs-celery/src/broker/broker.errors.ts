/** The broker could not be reached in time; the operation did not happen. Retry later. */
export class BrokerUnavailableError extends Error {
  override readonly name = 'BrokerUnavailableError';
}

/** The broker did not confirm a publish (nack, or the channel closed); the message may not be queued. */
export class PublishNotConfirmedError extends Error {
  override readonly name = 'PublishNotConfirmedError';
}

/**
 * An exchange or queue exists with other attributes than declared (AMQP 406). Declare it with the
 * same durable/auto-delete/arguments as its other users (Python Celery declares queues durable, no arguments).
 */
export class TopologyMismatchError extends Error {
  override readonly name = 'TopologyMismatchError';
}

/** The connection was closed with `close()`; no further operation is possible. */
export class BrokerClosedError extends Error {
  override readonly name = 'BrokerClosedError';
}

/**
 * RabbitMQ refused the user name or password of the broker URL (AMQP 403 ACCESS_REFUSED at login).
 * Fatal, as in Celery: retrying with the same credentials cannot succeed. Fix the URL's credentials.
 */
export class BrokerAuthenticationError extends Error {
  override readonly name = 'BrokerAuthenticationError';
}

/**
 * The TLS connection to the broker cannot be set up as configured: its certificate does not
 * verify against `brokerConnection.tls.ca`, names another host, the broker refused the client
 * certificate, or the key or passphrase is unusable. Fatal (retrying cannot fix it): fix the TLS
 * options. `code` is Node's error code (`SELF_SIGNED_CERT_IN_CHAIN`, …) when there is one.
 */
export class BrokerTlsError extends Error {
  override readonly name = 'BrokerTlsError';

  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The broker URL cannot be used as written (not parseable). Fatal: fix the URL. */
export class BrokerConfigurationError extends Error {
  override readonly name = 'BrokerConfigurationError';
}

/**
 * A message's properties (mostly its headers) are larger than amqplib encodes: its header
 * encoder writes into a 64 KB buffer. Nothing was sent; send smaller headers.
 */
export class HeaderFrameTooLargeError extends Error {
  override readonly name = 'HeaderFrameTooLargeError';
}

/**
 * Bytes that are not a readable AMQP field table: an unknown type tag, a length past the table's
 * end, or nesting deeper than the decoder accepts. Fix the publisher that wrote the headers.
 */
export class InvalidFieldTableError extends Error {
  override readonly name = 'InvalidFieldTableError';
}
