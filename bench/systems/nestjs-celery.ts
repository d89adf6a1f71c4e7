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

async function startConsumer(ctx: RunContext, hooks: ConsumerHooks): Promise<ConsumerHandle> {
  // nestjs-celery uses amqplib through its public API: the import order does not matter.
  const { CeleryTask, ServerCelery, TaskArg } = await import('nestjs-celery');
  const { Controller, Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');

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
    }),
    logger: ['error', 'warn'],
  });
  await app.listen();
  return { stop: () => app.close() };
}

async function startProducer(ctx: RunContext, wireHeaders: 'compact' | 'body' = 'compact'): Promise<ProducerHandle> {
  const { CeleryClient } = await import('nestjs-celery');
  const { Logger } = await import('@nestjs/common');
  Logger.overrideLogger(['error', 'warn']);
  const client = new CeleryClient({ brokerUrl: ctx.brokerUrl, defaultQueue: ctx.queue, connectionName: 'bench nestjs-celery client', wireHeaders });
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
 * The same worker and client on a Redis broker (`RedisBroker`, kombu's Redis transport), chosen by
 * the URL alone: acks emulated with kombu's unacked hash and index, rpc:// replies on a list.
 */
export const nestjsCeleryRedisSystem: SystemAdapter = {
  ...nestjsCelerySystem,
  name: 'nestjs-celery-redis-broker',
  label: 'nestjs-celery (Redis broker)',
  broker: 'redis',
  settings:
    'as nestjs-celery, on a redis:// broker URL: the worker pops up to the prefetch (100) per script call and records them ' +
    "in kombu's unacked hash/index, acks batched per tick (ZREM+HDEL); publishes are LPUSH after the Redis reply (no confirms on Redis)",
  entities: (queue) => ({ queues: [queue], exchanges: [queue] }),
};
