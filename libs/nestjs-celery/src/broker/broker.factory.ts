import type { LoggerService } from '@nestjs/common';
import { AmqpBroker } from './amqp-broker.js';
import { brokerUrlList, type BrokerConnectionOptions, type BrokerUrls } from './broker-connection.options.js';
import { describeUrlValue } from './broker-url.redaction.js';
import type { Broker } from './broker.js';
import { MemoryBroker } from './memory/memory-broker.js';
import { MemoryVhost } from './memory/memory-vhost.js';
import { RedisBroker } from './redis/redis-broker.js';
import { redisBrokerUrlOptions } from './redis/redis-broker-url.js';
import { isRedisUrl } from './redis/redis-url.js';

/** Options of {@link createBroker}. */
export interface CreateBrokerOptions {
  /**
   * `amqp://…` / `amqps://…` for RabbitMQ (a cluster: a `;` list or an array of them),
   * `redis://…` / `rediss://…` for Redis (kombu's Redis transport; `?visibility_timeout=<s>&global_keyprefix=<p>`
   * as in Celery's transport options), or `memory://<vhost>` for the in-process broker.
   */
  url: BrokerUrls;
  /** TLS, heartbeat, timeouts, failover and the other settings of an AMQP connection (ignored by `memory://` and `redis://`). */
  connection?: BrokerConnectionOptions;
  /** Connection name (RabbitMQ management UI, Redis `CLIENT LIST`, memory broker log lines). */
  connectionName?: string;
  logger?: LoggerService;
}

const MEMORY_URL = /^memory:\/\/([^/?#]*)\/?$/;

/**
 * Opens the broker a URL names: an `AmqpBroker` for `amqp://` and `amqps://`, a `RedisBroker`
 * for `redis://` and `rediss://`, a `MemoryBroker` for `memory://<vhost>`. Every `memory://`
 * broker with the same vhost name in this process is a connection to the same
 * {@link MemoryVhost.shared} vhost, so services started with `CELERY_BROKER_URL=memory://demo`
 * talk to each other in one process as they would on RabbitMQ.
 */
export function createBroker(options: CreateBrokerOptions): Broker {
  const urls = typeof options.url === 'string' || Array.isArray(options.url) ? brokerUrlList(options.url) : [];
  const memory = urls.length === 1 ? MEMORY_URL.exec(urls[0]!) : null;
  if (memory) {
    return new MemoryBroker({ vhost: MemoryVhost.shared(memory[1] || 'default'), connectionName: options.connectionName, logger: options.logger });
  }
  if (urls.length === 1 && isRedisUrl(urls[0]!)) {
    return new RedisBroker({ ...redisBrokerUrlOptions(urls[0]!), connectionName: options.connectionName, logger: options.logger });
  }
  const bad = urls.length === 0 ? options.url : urls.find((url) => !/^amqps?:\/\//.test(url));
  if (bad !== undefined) {
    throw new TypeError(
      `broker URL must be amqp://, amqps:// (RabbitMQ; a list of them for a cluster), redis://, rediss:// (Redis) or memory://<vhost> (in-process), got ${describeUrlValue(bad)}`,
    );
  }
  return new AmqpBroker({ ...options.connection, url: urls, connectionName: options.connectionName, logger: options.logger });
}
