import { ORDER, orderReply, type Order } from '../payload.js';
import type { ConsumerHandle, ConsumerHooks, ProducerHandle, RunContext, SystemAdapter } from './types.js';

/**
 * BullMQ (npm `bullmq`), the queue Node users pick for Redis: a `Worker` with concurrency 100
 * (as the others' prefetch 100) and a `Queue`; W1 is `queue.add()` (one job per message, resolved
 * when Redis stored it), RPC is `queue.add()` then `job.waitUntilFinished(queueEvents)`.
 * Finished W1 jobs are removed (`removeOnComplete` / `removeOnFail`), as a task queue keeps no history;
 * RPC jobs stay (the last 10,000) until `waitUntilFinished` has read them.
 */
const JOB = 'bench.order';
const RPC_JOB = 'bench.rpc';

function connection(ctx: RunContext) {
  const url = new URL(ctx.brokerUrl);
  return { host: url.hostname, port: Number(url.port || 6379), db: Number(url.pathname.slice(1) || 0), maxRetriesPerRequest: null };
}

async function startConsumer(ctx: RunContext, hooks: ConsumerHooks): Promise<ConsumerHandle> {
  const { Worker } = await import('bullmq');
  const worker = new Worker(
    ctx.queue,
    async (job) => {
      hooks.handled();
      return job.name === RPC_JOB ? orderReply(job.data as Order) : undefined;
    },
    { connection: connection(ctx), concurrency: ctx.prefetch },
  );
  await worker.waitUntilReady();
  return { stop: () => worker.close() };
}

async function startProducer(ctx: RunContext): Promise<ProducerHandle> {
  const { Queue, QueueEvents } = await import('bullmq');
  const queue = new Queue(ctx.queue, { connection: connection(ctx), defaultJobOptions: { removeOnComplete: true, removeOnFail: true } });
  const events = new QueueEvents(ctx.queue, { connection: connection(ctx) });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  return {
    publishOne: () => queue.add(JOB, ORDER),
    call: async () => {
      // kept until read (waitUntilFinished checks the finished job), the last 10,000 only
      const job = await queue.add(RPC_JOB, ORDER, { removeOnComplete: { count: 10_000 } });
      return job.waitUntilFinished(events, 30_000);
    },
    close: async () => {
      await events.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    },
  };
}

export const bullmqSystem: SystemAdapter = {
  name: 'bullmq',
  label: 'BullMQ',
  broker: 'redis',
  packages: ['bullmq'],
  w1Confirms: true,
  deliveryMode: () => 2,
  rpc: true,
  settings:
    'Worker concurrency 100; Queue.add per message (resolves once Redis stored the job); RPC via job.waitUntilFinished(QueueEvents); ' +
    'removeOnComplete/removeOnFail true (RPC jobs: last 10,000 kept so waitUntilFinished can read them)',
  entities: (queue) => ({ queues: [queue], exchanges: [] }),
  startConsumer,
  startProducer,
};
