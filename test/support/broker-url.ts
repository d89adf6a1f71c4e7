/** The RabbitMQ the e2e tests use. */
export const BROKER_URL = process.env.CELERY_BROKER_URL || 'amqp://guest:guest@127.0.0.1:5672//';

/** Interpreter that has Debian's python3-celery (the `python3` on PATH may not). */
export const CELERY_PYTHON = process.env.CELERY_PYTHON || '/usr/bin/python3';

/** The Redis the e2e tests use (result backend and broker); each suite picks its own db where it needs isolation. */
export const REDIS_URL = process.env.CELERY_REDIS_URL || 'redis://127.0.0.1:6379/0';
