/**
 * How fast a consumer drains a queue that is already full, without a producer running beside it:
 * N Celery task messages (the W1 order, compact headers) are put on a fresh queue, then a consumer
 * starts and the time to handle all N is taken. Systems alternate within each round, so drift on
 * the machine hits them alike; the median and best of the rounds are printed, with the broker's
 * and this process's CPU per message (the publisher is idle while the queue drains).
 *   node --import @swc-node/register/esm-register bench/micro/consume-drain.ts [n] [rounds] [prefetch]
 *
 * Consumers: raw amqplib acking each message in its handler (the ceiling), and a ServerCelery
 * worker with one `@CeleryTask` handler (acks late, concurrency = prefetch, as in `npm run bench`).
 */
const { CeleryTask, ServerCelery, TaskArg, encodeTaskMessage } = await import('nestjs-celery');
const { Controller, Module } = await import('@nestjs/common');
const { NestFactory } = await import('@nestjs/core');
const amqplib = (await import('amqplib')).default;
import type { ConsumeMessage } from 'amqplib';
import { findBrokerPid, processCpuUs } from '../lib/machine.js';
import { median } from '../lib/stats.js';
import type { Order } from '../payload.js';
import { orderTaskSpec } from './stub-broker.js';

const url = process.env.CELERY_BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const N = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const PREFETCH = Number(process.argv[4] ?? 100);
const brokerPid = findBrokerPid();

let handled = 0;
let target = 0;
let done: () => void = () => undefined;
function countOne(): void {
  if (++handled === target) done();
}

@Controller()
class DrainTasks {
  @CeleryTask('bench.order')
  order(@TaskArg(0) _order: Order): void {
    countOne();
  }
}

@Module({ controllers: [DrainTasks] })
class DrainModule {}

const connection = await amqplib.connect(url, { noDelay: true });
const publisher = await connection.createConfirmChannel();
// What `CeleryClient.sendTask` writes by default: compact headers, transient.
const encoded = encodeTaskMessage({ ...orderTaskSpec('c8f3e0a2-6f0e-4b7e-9a43-0d6f7d9b2d11'), wireHeaders: 'compact', deliveryMode: 1 });

async function fill(queue: string): Promise<void> {
  await publisher.assertQueue(queue, { durable: true });
  for (let i = 0; i < N; i++) {
    if (!publisher.publish('', queue, encoded.body, encoded.properties)) {
      await new Promise((resolve) => publisher.once('drain', resolve));
    }
  }
  await publisher.waitForConfirms();
}

type Consumer = (queue: string) => Promise<() => Promise<void>>;

const consumers: Record<string, Consumer> = {
  'raw amqplib': async (queue) => {
    const own = await amqplib.connect(url, { noDelay: true });
    const channel = await own.createChannel();
    await channel.prefetch(PREFETCH);
    await channel.consume(queue, (message: ConsumeMessage | null) => {
      if (!message) return;
      JSON.parse(message.content.toString());
      countOne();
      channel.ack(message);
    });
    return () => own.close();
  },
  'nestjs-celery': async (queue) => {
    const app = await NestFactory.createMicroservice(DrainModule, {
      strategy: new ServerCelery({ brokerUrl: url, queues: [queue], defaultQueue: queue, prefetchCount: PREFETCH, concurrency: PREFETCH, remoteControl: false }),
      logger: ['error', 'warn'],
    });
    await app.listen();
    return () => app.close();
  },
};

const results = new Map<string, { rate: number; brokerUs: number; selfUs: number }[]>();
for (let round = 1; round <= ROUNDS; round++) {
  for (const [name, start] of Object.entries(consumers)) {
    const queue = `bench.micro.drain.${process.pid}.${round}.${name.replace(/\W+/g, '-')}`;
    await fill(queue);
    handled = 0;
    target = N;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const broker0 = processCpuUs(brokerPid);
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    const stop = await start(queue);
    await finished;
    const ms = performance.now() - t0;
    const self = process.cpuUsage(self0);
    const entry = { rate: N / (ms / 1000), brokerUs: (processCpuUs(brokerPid) - broker0) / N, selfUs: (self.user + self.system) / N };
    (results.get(name) ?? results.set(name, []).get(name)!).push(entry);
    console.log(`round ${round} ${name.padEnd(14)} ${Math.round(entry.rate)} msg/s, consumer ${entry.selfUs.toFixed(1)} µs/msg, broker ${entry.brokerUs.toFixed(1)} µs/msg`);
    await stop();
    await publisher.deleteQueue(queue);
  }
}

const middle = (values: number[]) => median(values)!;
const rawRates = results.get('raw amqplib')!.map((r) => r.rate);
for (const [name, entries] of results) {
  const rates = entries.map((e) => e.rate);
  console.log(
    `${name.padEnd(14)} median ${Math.round(middle(rates))} msg/s (${(middle(rates) / middle(rawRates)).toFixed(2)}x), best ${Math.round(Math.max(...rates))} (${(Math.max(...rates) / Math.max(...rawRates)).toFixed(2)}x); ` +
      `consumer ${middle(entries.map((e) => e.selfUs)).toFixed(1)} µs/msg, broker ${middle(entries.map((e) => e.brokerUs)).toFixed(1)} µs/msg (medians)`,
  );
}
await connection.close();
