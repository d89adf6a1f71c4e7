import { EXPECTED_TOTAL, ORDER } from '../payload.js';
import type { RunContext, SpawnSpec, SystemAdapter } from './types.js';

/**
 * Python Celery 5.2.6 (Debian's python3-celery): a `celery worker -P solo` with the bench tasks
 * (bench/python/bench_app.py) and a Python client (bench/python/bench_client.py) using
 * `send_task` and `AsyncResult.get()` over the rpc:// backend. Both speak the bench control protocol.
 */
function env(ctx: RunContext, resultBackend = 'rpc://'): Record<string, string> {
  return {
    BENCH_RESULT_BACKEND: resultBackend,
    PYTHONPATH: 'bench/python',
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    BENCH_BROKER_URL: ctx.brokerUrl,
    // Celery reads these before the app's own broker/backend: one inherited from the shell (the
    // e2e tests' CELERY_BROKER_URL) would put the Redis-broker system on RabbitMQ unnoticed.
    CELERY_BROKER_URL: ctx.brokerUrl,
    CELERY_RESULT_BACKEND: resultBackend,
    BENCH_QUEUE: ctx.queue,
    BENCH_PREFETCH: String(ctx.prefetch),
    BENCH_PERSISTENT: ctx.persistent ? '1' : '0',
    BENCH_PAYLOAD: JSON.stringify(ORDER),
    BENCH_EXPECTED_TOTAL: String(EXPECTED_TOTAL),
  };
}

export const pythonCelerySystem: SystemAdapter = {
  name: 'python-celery',
  label: 'Python Celery',
  packages: [],
  w1Confirms: false,
  deliveryMode: (persistent) => (persistent ? 2 : 1),
  rpc: true,
  settings:
    'celery worker -P solo -c 1, worker_prefetch_multiplier 100 (prefetch 100), task_acks_late, --without-mingle/gossip/heartbeat; ' +
    "client app.send_task (no publisher confirms, Celery's default) and AsyncResult.get() on the rpc:// backend; " +
    'W3 keeps 100 calls outstanding by waiting on the oldest; task_default_delivery_mode transient (py-amqp sets TCP_NODELAY)',
  entities: (queue) => ({ queues: [queue], exchanges: [queue] }),
  spawnConsumer: (ctx): SpawnSpec => ({
    command: ctx.python,
    args: [
      '-m', 'celery', '-A', 'bench_app', 'worker', '-P', 'solo', '-c', '1', '-Q', ctx.queue, '-n', `${ctx.queue}@%h`,
      '--without-mingle', '--without-gossip', '--without-heartbeat', '-l', 'warning',
    ],
    env: env(ctx),
  }),
  spawnProducer: (ctx): SpawnSpec => ({ command: ctx.python, args: ['bench/python/bench_client.py'], env: env(ctx) }),
};

/** Python Celery with the Redis result backend (`--redis`): opt-in, beside nestjs-celery-redis. */
export const pythonCeleryRedisSystem: SystemAdapter = {
  ...pythonCelerySystem,
  name: 'python-celery-redis',
  label: 'Python Celery, Redis results',
  settings: "as Python Celery, worker and client with backend='redis://…' (the client's ResultConsumer subscribes per task)",
  spawnConsumer: (ctx): SpawnSpec => ({ ...pythonCelerySystem.spawnConsumer!(ctx), env: env(ctx, ctx.redisUrl) }),
  spawnProducer: (ctx): SpawnSpec => ({ ...pythonCelerySystem.spawnProducer!(ctx), env: env(ctx, ctx.redisUrl) }),
};

/** Python Celery on a Redis broker (kombu's Redis transport, python3-redis), otherwise the same. */
export const pythonCeleryRedisBrokerSystem: SystemAdapter = {
  ...pythonCelerySystem,
  name: 'python-celery-redis-broker',
  label: 'Python Celery (Redis broker)',
  broker: 'redis',
  settings:
    'as Python Celery, on a redis:// broker: kombu Redis transport (BRPOP, unacked hash/index, visibility timeout 1 h), ' +
    'worker_prefetch_multiplier 100, task_acks_late, rpc:// results on Redis lists',
};
