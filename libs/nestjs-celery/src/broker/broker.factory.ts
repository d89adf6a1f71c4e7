import type { LoggerService } from '@nestjs/common';
import { AmqpBroker } from './amqp-broker.js';
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
   * `amqp://…` / `amqps://…` for RabbitMQ, `redis://…` / `rediss://…` for Redis (kombu's Redis
   * transport; `?visibility_timeout=<s>&global_keyprefix=<p>` as in Celery's transport options),
   * or `memory://<vhost>` for the in-process broker.
   */
  url: string;
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
  const memory = MEMORY_URL.exec(options.url);
  if (memory) {
    return new MemoryBroker({ vhost: MemoryVhost.shared(memory[1] || 'default'), connectionName: options.connectionName, logger: options.logger });
  }
  if (isRedisUrl(options.url)) {
    return new RedisBroker({ ...redisBrokerUrlOptions(options.url), connectionName: options.connectionName, logger: options.logger });
  }
  if (!/^amqps?:\/\//.test(options.url)) {
    throw new TypeError(
      `broker URL must be amqp://, amqps:// (RabbitMQ), redis://, rediss:// (Redis) or memory://<vhost> (in-process), got ${describeUrlValue(options.url)}`,
    );
  }
  return new AmqpBroker({ url: options.url, connectionName: options.connectionName, logger: options.logger });
}
