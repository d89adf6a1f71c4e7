import type { Order } from '../payload.js';
import { ORDER, orderReply } from '../payload.js';
import type { ConsumerHandle, ConsumerHooks, ProducerHandle, RunContext, SystemAdapter } from './types.js';

/**
 * nestjs-celery (this repo): a ServerCelery worker with @CeleryTask handlers in a Nest
 * microservice, and a standalone CeleryClient. W1 sends with `ignoreResult: true, replyTo: null`;
 * RPC is `sendTask(...)` then `result.get()` over the client's rpc:// reply queue.
 */
const ORDER_TASK = 'bench.order';
const RPC_TASK = 'bench.rpc';

async function startConsumer(ctx: RunContext, hooks: ConsumerHooks, withMetrics = false, redisResults = false): Promise<ConsumerHandle> {
  // nestjs-celery uses amqplib through its public API: the import order does not matter.
  const { CeleryTask, ServerCelery, TaskArg } = await import('nestjs-celery');
  const { Controller, Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const observer = withMetrics ? new (await import('nestjs-celery/metrics')).CeleryMetrics() : undefined;

  @Controller()
  class BenchTasks {
    @CeleryTask(ORDER_TASK)
    order(@TaskArg(0) _order: Order): void {
      hooks.handled();
    }

    @CeleryTask(RPC_TASK)
    rpc(@TaskArg(0) order: Order) {
      hooks.handled();
      return orderReply(order);
    }
  }

  @Module({ controllers: [BenchTasks] })
  class BenchWorkerModule {}

  const app = await NestFactory.createMicroservice(BenchWorkerModule, {
    strategy: new ServerCelery({
      brokerUrl: ctx.brokerUrl,
      queues: [ctx.queue],
      defaultQueue: ctx.queue,
      prefetchCount: ctx.prefetch,
      concurrency: ctx.prefetch,
      observer,
      ...(redisResults ? { resultBackend: ctx.redisUrl as `redis://${string}` } : {}),
    }),
    logger: ['error', 'warn'],
  });
  await app.listen();
  return { stop: () => app.close() };
}

async function startProducer(ctx: RunContext, wireHeaders: 'compact' | 'body' = 'compact', withMetrics = false, redisResults = false): Promise<ProducerHandle> {
  const { CeleryClient } = await import('nestjs-celery');
  const { Logger } = await import('@nestjs/common');
  Logger.overrideLogger(['error', 'warn']);
  const observer = withMetrics ? new (await import('nestjs-celery/metrics')).CeleryMetrics() : undefined;
  const client = new CeleryClient({
    brokerUrl: ctx.brokerUrl,
    defaultQueue: ctx.queue,
    connectionName: 'bench nestjs-celery client',
    wireHeaders,
    observer,
    ...(redisResults ? { resultBackend: ctx.redisUrl as `redis://${string}` } : {}),
  });
  await client.connect();
  const deliveryMode = ctx.persistent ? 2 : 1;
  const fireAndForget = { queue: ctx.queue, ignoreResult: true, replyTo: null, deliveryMode } as const;
  const rpc = { queue: ctx.queue, deliveryMode } as const;
  return {
    publishOne: () => client.sendTask(ORDER_TASK, [ORDER], {}, fireAndForget),
    call: async () => {
      const result = await client.sendTask(RPC_TASK, [ORDER], {}, rpc);
      return result.get({ timeout: 30_000 });
    },
    close: () => client.close(),
  };
}

export const nestjsCelerySystem: SystemAdapter = {
  name: 'nestjs-celery',
  label: 'nestjs-celery',
  packages: [],
  w1Confirms: true,
  deliveryMode: (persistent) => (persistent ? 2 : 1),
  rpc: true,
  settings:
    'ServerCelery (prefetchCount 100, concurrency 100, acks late) with @CeleryTask handlers; CeleryClient.sendTask, which always ' +
    'waits for the publisher confirm; W1 with ignoreResult: true, replyTo: null; RPC via result.get() on the rpc:// reply queue; ' +
    'deliveryMode set explicitly on every send (W1 and RPC)',
  entities: (queue) => ({ queues: [queue], exchanges: [queue] }),
  startConsumer,
  startProducer,
};

/**
 * The same worker and client, the client with `wireHeaders: 'body'` (protocol v1's layout): a
 * fire-and-forget task's AMQP properties fit in 64 bytes, which RabbitMQ handles more cheaply.
 */
export const nestjsCeleryBodySystem: SystemAdapter = {
  ...nestjsCelerySystem,
  name: 'nestjs-celery-body',
  label: "nestjs-celery, wireHeaders 'body'",
  settings: `as nestjs-celery, the client with wireHeaders: 'body' (task fields in a dict body, protocol v1's layout; W1 properties: content type, delivery mode, {ignore_result})`,
  startProducer: (ctx) => startProducer(ctx, 'body'),
};

/**
 * The same worker and client with Prometheus metrics on (`nestjs-celery/metrics`): a
 * `CeleryMetrics` observer on the worker (every task counted and timed) and on the client (every
 * publish confirm timed). What metrics cost per message.
 */
export const nestjsCeleryMetricsSystem: SystemAdapter = {
  ...nestjsCelerySystem,
  name: 'nestjs-celery-metrics',
  label: 'nestjs-celery, metrics on',
  settings: 'as nestjs-celery, with a CeleryMetrics observer (prom-client) on the worker and on the client',
  startConsumer: (ctx, hooks) => startConsumer(ctx, hooks, true),
  startProducer: (ctx) => startProducer(ctx, 'compact', true),
};

/**
 * The same worker and client with the Redis result backend (`resultBackend: --redis`): results
 * stored and published as Celery's Redis backend does, the client subscribed per call. Opt-in
 * (`--only=nestjs-celery-redis,python-celery-redis`), against Python Celery on the same Redis.
 */
export const nestjsCeleryRedisSystem: SystemAdapter = {
  ...nestjsCelerySystem,
  name: 'nestjs-celery-redis',
  label: 'nestjs-celery, Redis results',
  settings:
    'as nestjs-celery, worker and client with resultBackend: redis:// (GET + MULTI SETEX/PUBLISH per result; the client SUBSCRIBEs, ' +
    'GETs and UNSUBSCRIBEs per call on one subscriber connection)',
  startConsumer: (ctx, hooks) => startConsumer(ctx, hooks, false, true),
  startProducer: (ctx) => startProducer(ctx, 'compact', false, true),
};

/**
 * The same worker and client on a Redis broker (`RedisBroker`, kombu's Redis transport), chosen by
 * the URL alone: acks emulated with kombu's unacked hash and index, rpc:// replies on a list.
 */
export const nestjsCeleryRedisBrokerSystem: SystemAdapter = {
  ...nestjsCelerySystem,
  name: 'nestjs-celery-redis-broker',
  label: 'nestjs-celery (Redis broker)',
  broker: 'redis',
  settings:
    'as nestjs-celery, on a redis:// broker URL: the worker pops up to the prefetch (100) per script call and records them ' +
    "in kombu's unacked hash/index, acks batched per tick (ZREM+HDEL); publishes are LPUSH after the Redis reply (no confirms on Redis)",
  entities: (queue) => ({ queues: [queue], exchanges: [queue] }),
};
