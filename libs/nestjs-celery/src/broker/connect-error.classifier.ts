import { BrokerAuthenticationError, BrokerConfigurationError, TopologyMismatchError } from './broker.errors.js';

/** amqplib's handshake error when RabbitMQ refuses the login (`Handshake terminated by server: 403 (ACCESS-REFUSED) ...`). */
const ACCESS_REFUSED_AT_LOGIN = /\b403\b.*ACCESS[-_]REFUSED/;
/** amqplib's error for a URL it cannot parse (it then sees no `amqp:` protocol). */
const UNPARSEABLE_URL = /Expected amqp: or amqps: as the protocol/;

/**
 * Sorts a failed (re)connect into fatal or transient, as Celery/kombu do on RabbitMQ:
 *
 * - fatal (returned as a typed error; the broker stops retrying and every waiter gets it):
 *   credentials refused at login (403, py-amqp's `AccessRefused`, not a kombu connection error,
 *   so a Celery worker exits on it), a URL that cannot be parsed, and a declaration RabbitMQ
 *   refuses on reconnect because the entity now exists with other attributes (406, kombu's
 *   `PreconditionFailed`, also not a connection error);
 * - transient (undefined; retried forever with capped backoff): everything else, such as a refused
 *   or reset socket, DNS failure, a node still booting, `CONNECTION_FORCED`, a vhost not (yet)
 *   accessible (530 `NOT_ALLOWED`, which kombu's consumer loop also retries) or a heartbeat timeout.
 */
export function fatalConnectError(error: unknown, safeUrl: string): Error | undefined {
  if (error instanceof TopologyMismatchError || error instanceof BrokerAuthenticationError || error instanceof BrokerConfigurationError) {
    return error;
  }
  const text = error instanceof Error ? error.message : String(error);
  if (ACCESS_REFUSED_AT_LOGIN.test(text)) {
    return new BrokerAuthenticationError(
      `RabbitMQ at ${safeUrl} refused the login (403 ACCESS_REFUSED): check the user name and password in the broker URL`,
    );
  }
  if (UNPARSEABLE_URL.test(text)) {
    return new BrokerConfigurationError(`the broker URL ${safeUrl} cannot be parsed: write it as amqp://user:password@host:port/vhost`);
  }
  return undefined;
}
