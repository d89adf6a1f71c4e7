/**
 * Held ETA tasks must not block the queue: the worker raises its prefetch window by the number of
 * held tasks (as Celery does), and on RabbitMQ that raise has to reach the consumer that is
 * already running (channel-wide `basic.qos`, Celery's `qos_global`), not only later consumers.
 * Real RabbitMQ; Python Celery 5.2.6 runs the plain tasks of this scenario in 0.02 s.
 */
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx } from '@nestjs/microservices';
import { AmqpBroker, CeleryClient, CeleryContext, CeleryTask, ServerCelery, type Delivery } from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import { deleteQueues } from './support/rabbitmq-admin.js';

const QUEUE = 'e2e.eta-prefetch';
const RAW_QUEUE = 'e2e.eta-prefetch.raw';
const HELD = 40;
const PLAIN = 10;
const ran = new Map<string, number>();

@Controller()
class PrefetchTasks {
  @CeleryTask('prefetch.plain')
  plain(@Ctx() ctx: CeleryContext): string {
    ran.set(ctx.id, Date.now());
    return ctx.id;
  }

  @CeleryTask('prefetch.later')
  later(): null {
    return null;
  }
}

@Module({ controllers: [PrefetchTasks] })
class PrefetchModule {}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !condition()) await new Promise((resolve) => setTimeout(resolve, 50));
  return condition();
}

describe('prefetch raise while ETA tasks are held (real RabbitMQ)', () => {
  afterAll(async () => {
    await deleteQueues(BROKER_URL, QUEUE, RAW_QUEUE);
  });

  it('AmqpBroker: setPrefetch widens the window of the running consumer', async () => {
    await deleteQueues(BROKER_URL, RAW_QUEUE);
    const broker = new AmqpBroker({ url: BROKER_URL, connectionName: 'e2e eta-prefetch raw' });
    try {
      await broker.declare({ queues: [{ name: RAW_QUEUE, durable: false, autoDelete: false }] });
      const received: Delivery[] = [];
      const handle = await broker.consume(RAW_QUEUE, (delivery) => received.push(delivery), { prefetch: 1 });
      await broker.publish('', RAW_QUEUE, Buffer.from('first'), {});
      await broker.publish('', RAW_QUEUE, Buffer.from('second'), {});
      expect(await waitUntil(() => received.length === 1, 5000)).toBe(true);
      // The window is full (one unacknowledged): the second message waits until the window grows.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received).toHaveLength(1);
      const raised = Date.now();
      await handle.setPrefetch(2);
      expect(await waitUntil(() => received.length === 2, 5000)).toBe(true);
      console.log(`second delivery ${Date.now() - raised} ms after setPrefetch(2)`);
      for (const delivery of received) delivery.ack();
      await handle.cancel();
    } finally {
      await broker.close();
    }
  });

  it(`${PLAIN} plain tasks behind ${HELD} held countdown tasks run at once`, async () => {
    await deleteQueues(BROKER_URL, QUEUE);
    // prefetch 4: the held tasks alone fill the initial window ten times over.
    const server = new ServerCelery({ brokerUrl: BROKER_URL, queues: [QUEUE], concurrency: 1, prefetchCount: 4, etaHoldLimitMs: false });
    const app: INestMicroservice = await NestFactory.createMicroservice(PrefetchModule, { strategy: server, logger: ['error', 'warn'] });
    await app.listen();
    const client = new CeleryClient({ brokerUrl: BROKER_URL, connectionName: 'e2e eta-prefetch client' });
    try {
      await client.connect();
      for (let i = 0; i < HELD; i++) await client.sendTask('prefetch.later', [], {}, { queue: QUEUE, countdown: 120, replyTo: null });
      const sentAt = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < PLAIN; i++) {
        ids.push((await client.sendTask('prefetch.plain', [], {}, { queue: QUEUE, replyTo: null })).id);
      }
      const allRan = await waitUntil(() => ids.every((id) => ran.has(id)), 20_000);
      const elapsed = Math.max(...ids.map((id) => ran.get(id) ?? Date.now())) - sentAt;
      console.log(`${ids.filter((id) => ran.has(id)).length}/${PLAIN} plain tasks ran, last ${elapsed} ms after the first was sent`);
      expect(allRan).toBe(true);
      expect(elapsed).toBeLessThan(10_000);
    } finally {
      await client.close();
      await app.close();
    }
  }, 60_000);
});
