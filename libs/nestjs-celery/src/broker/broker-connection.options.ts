import { BrokerConfigurationError } from './broker.errors.js';

/**
 * TLS settings of an `amqps://` connection, handed to Node's `tls.connect` through amqplib's
 * public socket options. PEM text or buffers, as `tls.connect` takes them.
 */
export interface BrokerTlsOptions {
  /** CA certificate(s) that signed the broker's certificate. Default: Node's trusted CAs. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate (PEM), for brokers that verify peers (`ssl_options.verify = verify_peer`). */
  cert?: string | Buffer;
  /** Private key of {@link cert} (PEM). */
  key?: string | Buffer;
  /** Passphrase of an encrypted {@link key}. Never logged or shown. */
  passphrase?: string;
  /** Server name for SNI and certificate checks. Default: the URL's host name (none for an IP address). */
  servername?: string;
  /** Refuse a broker certificate that does not verify. Default true; false only for tests. */
  rejectUnauthorized?: boolean;
}

/** How a list of broker URLs is tried, as kombu's `failover_strategy`. */
export type BrokerFailoverStrategy = 'round-robin' | 'shuffle';

/**
 * Every setting of a broker connection, in one place: used by `CeleryModule`, `CeleryClient`,
 * `ServerCelery` (and through them `EventPublisher`) as their `brokerConnection` option, and by
 * `AmqpBroker`. Only amqplib's public connect options are used. Every field is optional.
 *
 * The URL itself stays in `brokerUrl`: one URL, a kombu-style list `'amqp://a//;amqp://b//'`, or
 * an array of URLs (a cluster's nodes), tried in {@link failoverStrategy} order.
 */
export interface BrokerConnectionOptions {
  /** TLS settings for `amqps://` URLs (refused with an `amqp://` URL, which would ignore them). */
  tls?: BrokerTlsOptions;
  /** AMQP heartbeat in seconds, unless the URL sets `?heartbeat=`. Default 30 (0 turns heartbeats off). */
  heartbeatSeconds?: number;
  /** Socket connect timeout in ms (TCP and TLS until the AMQP handshake starts). Default 10 000. */
  connectionTimeoutMs?: number;
  /** Longest time from opening the socket to an open AMQP connection (TLS and AMQP handshakes). Default 20 000. */
  handshakeTimeoutMs?: number;
  /** Largest frame size the client proposes, in bytes (AMQP tune). Default 131 072 (amqplib's). */
  frameMax?: number;
  /** Most channels the client proposes (0: the broker's limit). Default 0. */
  channelMax?: number;
  /** Virtual host, instead of the URL's path (`/` for Celery's `//`). Default: the URL's. */
  vhost?: string;
  /** Extra AMQP client properties shown by RabbitMQ (`connection_name` is set from `connectionName`). */
  clientProperties?: Record<string, unknown>;
  /** Order in which a URL list is tried: `round-robin` (default, kombu's) or `shuffle`. */
  failoverStrategy?: BrokerFailoverStrategy;
  /** First delay between reconnect attempts once every URL failed; doubles up to {@link reconnectMaxDelayMs}. Default 100 ms. */
  reconnectInitialDelayMs?: number;
  /** Longest delay between reconnect rounds. Default 5000 ms. */
  reconnectMaxDelayMs?: number;
  /**
   * Attempts (counting each URL tried) after which reconnecting stops and waiting operations fail
   * with `BrokerUnavailableError` (kombu's `max_retries`). Default: retry until `close()`.
   */
  reconnectMaxAttempts?: number;
  /** How long an operation waits for a (re)connection before `BrokerUnavailableError`. Default 30 000 ms. */
  operationTimeoutMs?: number;
}

/** {@link BrokerConnectionOptions} after validation, with defaults applied. */
export interface ResolvedBrokerConnection {
  urls: string[];
  tls?: BrokerTlsOptions;
  heartbeatSeconds: number;
  connectionTimeoutMs: number;
  handshakeTimeoutMs: number;
  frameMax?: number;
  channelMax?: number;
  vhost?: string;
  clientProperties: Record<string, unknown>;
  failoverStrategy: BrokerFailoverStrategy;
  reconnectInitialDelayMs: number;
  reconnectMaxDelayMs: number;
  reconnectMaxAttempts?: number;
  operationTimeoutMs: number;
}

/** A broker URL, a kombu-style `;` list of them, or an array of them. */
export type BrokerUrls = string | readonly string[];

/**
 * The URLs of a `brokerUrl` value: an array as given, a string split at `;` (kombu's failover
 * list), empty entries dropped.
 */
export function brokerUrlList(urls: BrokerUrls): string[] {
  const list = typeof urls === 'string' ? urls.split(';') : [...urls];
  return list.filter((url) => url !== '');
}

/** The URLs as one line, as kombu shows a failover list (`a;b`). */
export function joinBrokerUrls(urls: BrokerUrls): string {
  return typeof urls === 'string' ? urls : urls.join(';');
}

function wholeNumber(value: unknown, option: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)) {
    throw new BrokerConfigurationError(`broker connection option '${option}' must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

const TLS_KEYS = new Set(['ca', 'cert', 'key', 'passphrase', 'servername', 'rejectUnauthorized']);
const STRATEGIES: readonly BrokerFailoverStrategy[] = ['round-robin', 'shuffle'];

/**
 * Checks the options (a {@link BrokerConfigurationError} names the bad one; secrets are never
 * quoted) and fills in the defaults.
 */
export function resolveBrokerConnection(urls: string[], options: BrokerConnectionOptions = {}): ResolvedBrokerConnection {
  if (typeof options !== 'object' || options === null) throw new BrokerConfigurationError("option 'brokerConnection' must be an object");
  wholeNumber(options.heartbeatSeconds, 'heartbeatSeconds', 0, 65_535);
  wholeNumber(options.connectionTimeoutMs, 'connectionTimeoutMs', 1);
  wholeNumber(options.handshakeTimeoutMs, 'handshakeTimeoutMs', 1);
  wholeNumber(options.frameMax, 'frameMax', 4096, 2 ** 32 - 1);
  wholeNumber(options.channelMax, 'channelMax', 0, 65_535);
  wholeNumber(options.reconnectInitialDelayMs, 'reconnectInitialDelayMs', 0);
  wholeNumber(options.reconnectMaxDelayMs, 'reconnectMaxDelayMs', 0);
  wholeNumber(options.reconnectMaxAttempts, 'reconnectMaxAttempts', 1);
  wholeNumber(options.operationTimeoutMs, 'operationTimeoutMs', 1);
  if (options.vhost !== undefined && (typeof options.vhost !== 'string' || options.vhost === '')) {
    throw new BrokerConfigurationError(`broker connection option 'vhost' must be a non-empty string ('/' for Celery's default vhost)`);
  }
  if (options.failoverStrategy !== undefined && !STRATEGIES.includes(options.failoverStrategy)) {
    throw new BrokerConfigurationError(
      `broker connection option 'failoverStrategy' must be 'round-robin' or 'shuffle', got ${JSON.stringify(options.failoverStrategy)}`,
    );
  }
  if (options.clientProperties !== undefined && (typeof options.clientProperties !== 'object' || options.clientProperties === null)) {
    throw new BrokerConfigurationError("broker connection option 'clientProperties' must be an object");
  }
  if (options.tls !== undefined) {
    if (typeof options.tls !== 'object' || options.tls === null) throw new BrokerConfigurationError("broker connection option 'tls' must be an object");
    const unknown = Object.keys(options.tls).filter((key) => !TLS_KEYS.has(key));
    if (unknown.length > 0) {
      throw new BrokerConfigurationError(`broker connection option 'tls' has unknown field(s) ${unknown.join(', ')}; known: ${[...TLS_KEYS].join(', ')}`);
    }
    const plain = urls.filter((url) => !/^amqps:/i.test(url));
    if (plain.length > 0) {
      throw new BrokerConfigurationError(
        `broker connection option 'tls' needs amqps:// URLs, but ${plain.length} of the broker URLs ${plain.length === 1 ? 'is' : 'are'} not amqps://`,
      );
    }
  }
  const reconnectInitialDelayMs = options.reconnectInitialDelayMs ?? 100;
  return {
    urls,
    tls: options.tls,
    heartbeatSeconds: options.heartbeatSeconds ?? 30,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 10_000,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 20_000,
    frameMax: options.frameMax,
    channelMax: options.channelMax,
    vhost: options.vhost,
    clientProperties: { ...(options.clientProperties ?? {}) },
    failoverStrategy: options.failoverStrategy ?? 'round-robin',
    reconnectInitialDelayMs,
    reconnectMaxDelayMs: Math.max(options.reconnectMaxDelayMs ?? 5000, reconnectInitialDelayMs),
    reconnectMaxAttempts: options.reconnectMaxAttempts,
    operationTimeoutMs: options.operationTimeoutMs ?? 30_000,
  };
}
