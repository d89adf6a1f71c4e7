import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { isRedisUrl, parseRedisUrl } from '../broker/redis/redis-url.js';
import { InvalidResultBackendError } from './results.errors.js';

/** Celery's default `result_expires`: one day, in milliseconds. */
export const DEFAULT_RESULT_EXPIRES_MS = 86_400_000;

/**
 * Where task results go, as Celery's `result_backend` names it: `'rpc://'` (default; `'rpc'` also
 * accepted) replies to the caller's queue, `'redis://host:port/db'` (or `'rediss://'`) stores them
 * in Redis as Celery's Redis backend does, `'disabled'` keeps none.
 */
export type ResultBackendUrl = 'rpc://' | 'rpc' | 'disabled' | `redis://${string}` | `rediss://${string}`;

/** The result options shared by `CeleryModule`, `CeleryClient` and `ServerCelery`. */
export interface ResultBackendOptions {
  /** Celery's `result_backend`: `'rpc://'` (default), `'redis://host:port/db'`, `'rediss://…'` or `'disabled'`. */
  resultBackend?: ResultBackendUrl;
  /**
   * Celery's `result_expires` in ms. Redis: results (and chord keys) expire after it (`SETEX`);
   * rpc: the reply queue's `x-expires`. Default 86 400 000 (1 day).
   */
  resultExpiresMs?: number;
  /** Celery's `result_extended`: a Redis result also stores name, args, kwargs, worker, retries and queue. Default false. */
  resultExtended?: boolean;
  /** TLS options for a `rediss://` result backend (CA, client certificate, servername). */
  resultBackendTls?: TlsOptions;
}

/** A parsed `resultBackend`. */
export type ResultBackendChoice = { kind: 'rpc' } | { kind: 'disabled' } | { kind: 'redis'; url: string };

/** Reads `resultBackend`; throws {@link InvalidResultBackendError} for anything else. */
export function parseResultBackend(value: unknown): ResultBackendChoice {
  if (value === undefined || value === 'rpc' || value === 'rpc://' || value === 'rpc:///') return { kind: 'rpc' };
  if (value === 'disabled') return { kind: 'disabled' };
  if (typeof value === 'string' && isRedisUrl(value)) {
    try {
      parseRedisUrl(value);
    } catch {
      throw new InvalidResultBackendError(value);
    }
    return { kind: 'redis', url: value };
  }
  throw new InvalidResultBackendError(value);
}

/** Checks `resultExpiresMs`: a positive number of milliseconds, or undefined. Returns the error text, if any. */
export function resultExpiresProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? undefined : `resultExpiresMs must be a positive number of ms, got ${String(value)}`;
}
