import type { LoggerService } from '@nestjs/common';
import type { RedisConnectionOptions } from './redis-client.js';

/** kombu's default `visibility_timeout` (1 hour). */
export const DEFAULT_VISIBILITY_TIMEOUT_MS = 3_600_000;

/** The list rejected and unreadable messages go to. */
export const DEFAULT_DEAD_LETTER_QUEUE = 'nestjs-celery.dead-letter';

/** Options of `RedisBroker`; the names follow Celery's `broker_transport_options` where kombu has them. */
export interface RedisBrokerOptions {
  /** `redis://[[user]:password@]host[:port][/db]` or `rediss://…`. */
  url: string;
  /** Shown by `CLIENT LIST`. */
  connectionName?: string;
  logger?: LoggerService;
  /**
   * kombu's `visibility_timeout` in ms: an unacknowledged message older than this is restored to
   * its queue by any worker (that is how a killed worker's messages come back). Must match the
   * Python workers' setting. Messages this broker still holds are kept fresh, so a long task or a
   * held ETA task is not restored while its worker lives. Default 3600000 (1 h, kombu's).
   */
  visibilityTimeoutMs?: number;
  /** kombu's `global_keyprefix`: prepended to every key and channel. Must match the Python side. Default `''`. */
  globalKeyPrefix?: string;
  /** The list (a kombu queue) that keeps rejected and unreadable messages with the reason in their headers. Default `nestjs-celery.dead-letter`. */
  deadLetterQueue?: string;
  /** TLS, client name and further ioredis options. */
  redis?: RedisConnectionOptions;
}
