import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { LuaScript } from './lua-script.js';
import { UNLOCK_SCRIPT } from './redis-scripts.js';

const UNLOCK = new LuaScript(UNLOCK_SCRIPT);

/**
 * Runs `work` while holding the mutex `key` (kombu's `Mutex` over redis-py's `Lock`: `SET key
 * token NX PX`, released only by its owner), or not at all when another process holds it.
 * Resolves true when `work` ran.
 */
export async function withMutex(redis: Redis, key: string, expireMs: number, work: () => Promise<void>): Promise<boolean> {
  const token = randomUUID();
  if ((await redis.set(key, token, 'PX', expireMs, 'NX')) !== 'OK') return false;
  try {
    await work();
  } finally {
    await UNLOCK.run(redis, [key], [token]);
  }
  return true;
}
