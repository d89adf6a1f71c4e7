import { redactUrl } from '../broker-url.redaction.js';

/** Where a `redis://` or `rediss://` URL points, as kombu and Celery's Redis backend read it. */
export interface RedisEndpoint {
  host: string;
  port: number;
  /** Database number from the URL's path (`/3`), 0 when absent. */
  db: number;
  username?: string;
  password?: string;
  /** True for `rediss://`: connect over TLS. */
  tls: boolean;
}

/** A Redis URL that cannot be used; its message never shows the password. */
export class InvalidRedisUrlError extends Error {
  override readonly name = 'InvalidRedisUrlError';
  constructor(url: string, reason: string) {
    super(`invalid Redis URL ${redactUrl(url)}: ${reason}`);
  }
}

/** True when `url` names Redis (`redis://`, `rediss://`), the schemes kombu's Redis transport and Celery's backend take. */
export function isRedisUrl(url: string): boolean {
  return /^rediss?:\/\//i.test(url);
}

/**
 * Parses `redis://[[user]:password@]host[:port][/db]` (and `rediss://`) the way kombu does:
 * port 6379 by default, the database from the path, credentials percent-decoded.
 */
export function parseRedisUrl(url: string): RedisEndpoint {
  if (!isRedisUrl(url)) throw new InvalidRedisUrlError(url, 'the scheme must be redis:// or rediss://');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidRedisUrlError(url, 'not a URL');
  }
  const path = parsed.pathname.replace(/^\/+/, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0) throw new InvalidRedisUrlError(url, `the database "${path}" is not a number`);
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const endpoint: RedisEndpoint = {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port,
    db,
    tls: parsed.protocol.toLowerCase() === 'rediss:',
  };
  if (parsed.username) endpoint.username = decodeURIComponent(parsed.username);
  if (parsed.password) endpoint.password = decodeURIComponent(parsed.password);
  return endpoint;
}
