/**
 * Sequential RPC latency in one process, where client and worker share the event loop: raw
 * amqplib (request queue + reply queue, manual ack) against CeleryClient.sendTask + result.get()
 * with a ServerCelery worker, split at the moment the handler runs:
 *   send→handler: client send, broker, worker decode and dispatch
 *   handler→result: reply encode and publish, broker, client match and resolve
 *   CELERY_BROKER_URL=amqp://... node --import @swc-node/register/esm-register bench/micro/rpc-latency.ts [n]
 */
const { CeleryClient, CeleryTask, ServerCelery, TaskArg, amqplib } = await import('nestjs-celery');
const { Controller, Module } = await import('@nestjs/common');
const { NestFactory } = await import('@nestjs/core');
import { ORDER, orderReply, type Order } from '../payload.js';

const url = process.env.CELERY_BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const N = Number(process.argv[2] ?? 2000);
const QUEUE = 'bench.micro.rpc-latency';
let handlerAt = 0n;

@Controller()
class Tasks {
  @CeleryTask('bench.rpc')
  rpc(@TaskArg(0) order: Order) {
    handlerAt = process.hrtime.bigint();
    return orderReply(order);
  }
}
@Module({ controllers: [Tasks] })
class M {}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}
function summary(label: string, total: number[], first: number[], second: number[]): void {
  for (const a of [total, first, second]) a.sort((x, y) => x - y);
  const f = (x: number) => x.toFixed(0).padStart(5);
  console.log(
    `${label.padEnd(14)} p50 ${f(percentile(total, 0.5))} µs (send→handler ${f(percentile(first, 0.5))}, handler→result ${f(percentile(second, 0.5))}), p99 ${f(percentile(total, 0.99))}`,
  );
}

// raw amqplib: the thinnest correct RPC over a request queue and a reply queue
const serverConnection = await amqplib.connect(url, { noDelay: true });
const clientConnection = await amqplib.connect(url, { noDelay: true });
const serverChannel = await serverConnection.createChannel();
await serverChannel.assertQueue(`${QUEUE}.raw`, { durable: false });
await serverChannel.prefetch(100);
await serverChannel.consume(`${QUEUE}.raw`, (m) => {
  if (!m) return;
  handlerAt = process.hrtime.bigint();
  const reply = Buffer.from(JSON.stringify(orderReply(JSON.parse(m.content.toString()) as Order)));
  serverChannel.publish('', m.properties.replyTo as string, reply, { correlationId: m.properties.correlationId });
  serverChannel.ack(m);
});
const clientChannel = await clientConnection.createChannel();
const replyQueue = (await clientChannel.assertQueue('', { exclusive: true })).queue;
const waiting = new Map<string, (value: unknown) => void>();
await clientChannel.consume(replyQueue, (m) => {
  if (!m) return;
  clientChannel.ack(m);
  waiting.get(m.properties.correlationId as string)?.(JSON.parse(m.content.toString()));
});
const body = JSON.stringify(ORDER);
async function rawCall(id: string): Promise<unknown> {
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    clientChannel.publish('', `${QUEUE}.raw`, Buffer.from(body), { correlationId: id, replyTo: replyQueue, contentType: 'application/json' });
  });
}

const app = await NestFactory.createMicroservice(M, {
  strategy: new ServerCelery({ brokerUrl: url, queues: [QUEUE], defaultQueue: QUEUE, prefetchCount: 100, concurrency: 100 }),
  logger: ['error', 'warn'],
});
await app.listen();
const client = new CeleryClient({ brokerUrl: url, defaultQueue: QUEUE });
await client.connect();
const celeryCall = async (): Promise<unknown> => (await client.sendTask('bench.rpc', [ORDER], {}, { queue: QUEUE, deliveryMode: 1 })).get({ timeout: 5000 });

async function measure(label: string, call: (i: number) => Promise<unknown>): Promise<void> {
  const total: number[] = [];
  const first: number[] = [];
  const second: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = process.hrtime.bigint();
    await call(i);
    const t1 = process.hrtime.bigint();
    total.push(Number(t1 - t0) / 1000);
    first.push(Number(handlerAt - t0) / 1000);
    second.push(Number(t1 - handlerAt) / 1000);
  }
  summary(label, total, first, second);
}
for (let round = 0; round < 3; round++) {
  await measure('raw amqplib', (i) => rawCall(`r${round}-${i}`));
  await measure('nestjs-celery', celeryCall);
}
await client.close();
await app.close();
await serverConnection.close();
await clientConnection.close();
