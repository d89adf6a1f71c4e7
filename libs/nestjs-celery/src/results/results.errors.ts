import { redactUrl } from '../broker/broker-url.redaction.js';

/**
 * The result backend (Redis) could not be reached or answered with an error. Nothing was sent when
 * `sendTask` throws it; a waiting `get()` keeps waiting through a reconnect. Retry later.
 */
export class ResultBackendUnavailableError extends Error {
  override readonly name = 'ResultBackendUnavailableError';
  constructor(url: string, operation: string, cause: unknown) {
    super(`result backend ${redactUrl(url)} unavailable (${operation}): ${(cause as Error)?.message ?? String(cause)}; is Redis running?`, { cause });
  }
}

/** `resultBackend` is not one of `rpc://`, `disabled`, `redis://…` or `rediss://…`. */
export class InvalidResultBackendError extends Error {
  override readonly name = 'InvalidResultBackendError';
  constructor(value: unknown) {
    super(`resultBackend must be 'rpc://' (default), 'disabled', 'redis://host:port/db' or 'rediss://…', got ${JSON.stringify(redactUrl(String(value)))}`);
  }
}

/**
 * A chord (or a chain with a group followed by a task) needs a result backend that stores results:
 * with `rpc://` Celery raises `NotImplementedError` with this text, and so does this client.
 */
export class ChordsNotSupportedError extends Error {
  override readonly name = 'ChordsNotSupportedError';
  /** Reported to Python callers as Celery's own error: `NotImplementedError` (builtins). */
  readonly excType = 'NotImplementedError';
  readonly excModule = 'builtins';
  constructor(backend: string) {
    super(
      `The "${backend}" result backend does not support chords! Note that a group chained with a task is also upgraded to be a chord, ` +
        "as this pattern requires synchronization. Result backends that supports chords: Redis (resultBackend: 'redis://…').",
    );
  }
}
