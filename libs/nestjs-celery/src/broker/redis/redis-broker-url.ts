import type { RedisBrokerOptions } from './redis-broker.options.js';
import { InvalidRedisUrlError } from './redis-url.js';

/**
 * The `RedisBroker` options a broker URL carries: the URL without its query, plus kombu's
 * transport options written as query parameters, `visibility_timeout` (seconds) and
 * `global_keyprefix`, so that a URL alone configures the broker.
 */
export function redisBrokerUrlOptions(url: string): Pick<RedisBrokerOptions, 'url' | 'visibilityTimeoutMs' | 'globalKeyPrefix'> {
  const query = url.indexOf('?');
  if (query < 0) return { url };
  const params = new URLSearchParams(url.slice(query + 1));
  const options: Pick<RedisBrokerOptions, 'url' | 'visibilityTimeoutMs' | 'globalKeyPrefix'> = { url: url.slice(0, query) };
  const visibility = params.get('visibility_timeout');
  if (visibility !== null) {
    const seconds = Number(visibility);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidRedisUrlError(url, `visibility_timeout "${visibility}" is not a positive number of seconds`);
    options.visibilityTimeoutMs = Math.round(seconds * 1000);
  }
  const prefix = params.get('global_keyprefix');
  if (prefix !== null) options.globalKeyPrefix = prefix;
  return options;
}
