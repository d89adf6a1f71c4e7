import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ORDER, orderReply, type Order } from '../payload.js';
import type { ConsumerHandle, ConsumerHooks, ProducerHandle, RunContext, SystemAdapter } from './types.js';

/**
 * celery-node (npm `celery-node`): `createWorker(...).register()` and `createClient().sendTask()`,
 * with its Redis result backend; `AsyncResult.get()` polls Redis every 500 ms (its default), so
 * W2/W3 run with small counts.
 */
const ORDER_TASK = 'bench.order';
const RPC_TASK = 'bench.rpc';
const POLL_MS = 500;

interface RedisLike {
  del(...keys: string[]): Promise<number>;
}

async function startConsumer(ctx: RunContext, hooks: ConsumerHooks): Promise<ConsumerHandle> {
  const celery = await import('celery-node');
  const worker = celery.createWorker(ctx.brokerUrl, ctx.redisUrl, ctx.queue);
  worker.conf.CELERY_BROKER_OPTIONS = { noDelay: true };
  worker.register(ORDER_TASK, (_order: Order) => {
    hooks.handled();
  });
  worker.register(RPC_TASK, (order: Order) => {
    hooks.handled();
    return orderReply(order);
  });
  // On RabbitMQ start() resolves once it consumes. On Redis it resolves only at disconnect():
  // RedisBroker.subscribe() returns its BRPOP loop (Promise.all of the loops, ended by closing),
  // which is why this system never became ready. There, ready means connected; the loop runs on.
  const running = worker.start();
  if (ctx.brokerUrl.startsWith('redis')) await worker.isReady();
  else await running;
  return { stop: () => worker.disconnect() };
}

async function startProducer(ctx: RunContext): Promise<ProducerHandle> {
  const celery = await import('celery-node');
  const client = celery.createClient(ctx.brokerUrl, ctx.redisUrl, ctx.queue);
  client.conf.CELERY_BROKER_OPTIONS = { noDelay: true };
  await client.isReady();
  const sent: string[] = [];
  const send = (task: string) => {
    const id = randomUUID();
    sent.push(id);
    return client.sendTask(task, [ORDER], {}, id);
  };
  return {
    // sendTask returns no promise for the publish: fire them all (yielding now and then so the
    // publishes go out while we loop); the consumer's count says when they arrived.
    publishMany: async (n: number) => {
      for (let i = 0; i < n; i++) {
        send(ORDER_TASK);
        if (i % 500 === 499) await yieldToLoop();
      }
    },
    call: () => send(RPC_TASK).get(30_000, POLL_MS),
    close: async () => {
      // The worker stores a result in Redis for every task (a day's TTL): remove ours.
      const redis = (client.backend as unknown as { redis?: RedisLike }).redis;
      for (let i = 0; redis && i < sent.length; i += 1000) await redis.del(...sent.slice(i, i + 1000).map((id) => `celery-task-meta-${id}`));
      await client.disconnect();
    },
  };
}

export const celeryNodeSystem: SystemAdapter = {
  name: 'celery-node',
  label: 'celery-node',
  packages: ['celery-node'],
  w1Confirms: false,
  deliveryMode: () => 2,
  rpc: true,
  caps: {
    w2: 20,
    w3: 1_000,
    reason: `AsyncResult.get() polls the Redis backend every ${POLL_MS} ms (its default), so every call takes >= ${POLL_MS} ms: W2 runs 20 calls, W3 1,000`,
  },
  settings:
    'createWorker/createClient with the Redis result backend (--redis); noDelay: true via CELERY_BROKER_OPTIONS; ' +
    'the worker acks on receipt, sets no prefetch (unlimited) and logs two lines per task (to a pipe the driver drains); ' +
    'the client re-declares exchange and queue before every publish, always persistent (delivery mode 2, not configurable), no confirms',
  entities: (queue) => ({ queues: [queue], exchanges: [] }),
  startConsumer,
  startProducer,
};

/** celery-node with a Redis broker (its own Redis broker support) and the Redis result backend. */
export const celeryNodeRedisBrokerSystem: SystemAdapter = {
  ...celeryNodeSystem,
  name: 'celery-node-redis-broker',
  label: 'celery-node (Redis broker)',
  broker: 'redis',
  settings:
    'createWorker/createClient with a redis:// broker and the Redis result backend on the same database; ' +
    'AsyncResult.get() polls every 500 ms; the worker acks on receipt (no unacked emulation)',
};
