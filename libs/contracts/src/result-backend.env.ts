import type { ResultBackendOptions, ResultBackendUrl } from 'nestjs-celery';

/**
 * The sample services' result backend from the environment, as a Celery app reads it:
 * `CELERY_RESULT_BACKEND` (`redis://host:port/db` stores results in Redis), else rpc://.
 */
export function resultBackendFromEnv(): ResultBackendOptions {
  const url = process.env.CELERY_RESULT_BACKEND;
  return url ? { resultBackend: url as ResultBackendUrl } : {};
}
