import { Redis } from 'ioredis';
import { REDIS_URL } from './broker-url.js';

/** The Redis result backend of the e2e suites: `CELERY_REDIS_URL` (one db per helper/CI run), as `redis://…`. */
export const RESULT_BACKEND = REDIS_URL as `redis://${string}`;

/** A plain ioredis connection to the result backend, for assertions on the stored keys. */
export function rawRedis(url: string = RESULT_BACKEND): Redis {
  return new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
}

/** The channels with a subscriber matching `pattern` (`PUBSUB CHANNELS`). */
export async function subscribedChannels(redis: Redis, pattern = 'celery-task-meta-*'): Promise<string[]> {
  return (await redis.pubsub('CHANNELS', pattern)) as string[];
}
