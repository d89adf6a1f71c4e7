import type { Redis, RedisOptions } from 'ioredis';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { redactUrl } from '../broker-url.redaction.js';
import { parseRedisUrl } from './redis-url.js';

/** Options for a Redis connection beyond its URL. */
export interface RedisConnectionOptions {
  /** TLS options for `rediss://` (CA, client certificate, servername, rejectUnauthorized). */
  tls?: TlsOptions;
  /** Shown by `CLIENT LIST`, to tell this library's connections apart. */
  connectionName?: string;
  /** More ioredis options; the URL's host, port, db and credentials win over them. */
  ioredis?: RedisOptions;
}

/** ioredis is not installed: it is an optional peer dependency, needed only for `redis://` URLs. */
export class RedisClientMissingError extends Error {
  override readonly name = 'RedisClientMissingError';
  constructor(cause: unknown) {
    super('a redis:// URL needs the ioredis package: npm install ioredis', { cause });
  }
}

/**
 * Opens an ioredis connection to `url` (loaded on first use, so AMQP-only users never load it).
 * The connection retries with ioredis' own backoff; callers listen for `error` to log, redacted.
 */
export async function openRedis(url: string, options: RedisConnectionOptions = {}): Promise<Redis> {
  const endpoint = parseRedisUrl(url);
  let RedisClass: typeof Redis;
  try {
    ({ Redis: RedisClass } = await import('ioredis'));
  } catch (error) {
    throw new RedisClientMissingError(error);
  }
  const tls = endpoint.tls ? { ...(options.tls ?? {}) } : undefined;
  return new RedisClass({
    ...options.ioredis,
    host: endpoint.host,
    port: endpoint.port,
    db: endpoint.db,
    ...(endpoint.username !== undefined ? { username: endpoint.username } : {}),
    ...(endpoint.password !== undefined ? { password: endpoint.password } : {}),
    ...(tls ? { tls } : {}),
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  });
}

/** `url` with its password masked, for logs and errors. */
export function describeRedisUrl(url: string): string {
  return redactUrl(url);
}
