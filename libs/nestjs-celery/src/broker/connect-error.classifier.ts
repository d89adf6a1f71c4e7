import { BrokerAuthenticationError, BrokerConfigurationError, BrokerTlsError, TopologyMismatchError } from './broker.errors.js';

/** amqplib's handshake error when RabbitMQ refuses the login (`Handshake terminated by server: 403 (ACCESS-REFUSED) ...`). */
const ACCESS_REFUSED_AT_LOGIN = /\b403\b.*ACCESS[-_]REFUSED/;
/** amqplib's error for a URL it cannot parse (it then sees no `amqp:` protocol). */
const UNPARSEABLE_URL = /Expected amqp: or amqps: as the protocol/;
/**
 * Node's codes for a TLS setup that cannot work as configured: the broker's certificate does not
 * verify against the CA (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `SELF_SIGNED_CERT_IN_CHAIN`, …), names
 * another host (`ERR_TLS_CERT_ALTNAME_INVALID`), the broker refused our certificate (a TLS alert,
 * `ERR_SSL_TLSV1_ALERT_UNKNOWN_CA`, …) or our key or passphrase is unusable (`ERR_OSSL_…`).
 */
const TLS_SETUP_CODE = /CERT|SIGNATURE|^UNABLE_TO_|^ERR_SSL_|^ERR_OSSL_|^ERR_TLS_/;
/** OpenSSL's texts for the same cases when no code is set (a bad PEM or passphrase in `createSecureContext`). */
const TLS_SETUP_TEXT = /certificate|bad decrypt|PEM routines|wrong version number|alert/i;

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
export function fatalConnectError(error: unknown, safeUrl: string, safeText?: string): Error | undefined {
  if (
    error instanceof TopologyMismatchError ||
    error instanceof BrokerAuthenticationError ||
    error instanceof BrokerConfigurationError ||
    error instanceof BrokerTlsError
  ) {
    return error;
  }
  const tls = tlsSetupError(error, safeUrl, safeText);
  if (tls) return tls;
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

/**
 * A TLS failure that retrying cannot fix (see {@link TLS_SETUP_CODE}), as {@link BrokerTlsError}
 * with Node's code and a hint; undefined for anything else (a reset socket stays transient).
 */
function tlsSetupError(error: unknown, safeUrl: string, safeText?: string): BrokerTlsError | undefined {
  // Duck-typed: an error from another realm (Node's own, seen from a VM context) is no `instanceof Error` here.
  if (typeof error !== 'object' || error === null) return undefined;
  const { code: rawCode, message } = error as { code?: unknown; message?: unknown };
  const code = typeof rawCode === 'string' ? rawCode : '';
  const text = safeText ?? String(message);
  const isTls = code !== '' ? TLS_SETUP_CODE.test(code) : /^amqps:/i.test(safeUrl) && TLS_SETUP_TEXT.test(text);
  if (!isTls) return undefined;
  return new BrokerTlsError(
    `TLS connection to ${safeUrl} failed${code ? ` (${code})` : ''}: ${text}; check brokerConnection.tls ` +
      `(ca must hold the CA that signed the broker's certificate, servername its host name; cert, key and passphrase the client's)`,
    code || undefined,
  );
}
