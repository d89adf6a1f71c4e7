/**
 * What a published message costs RabbitMQ, by message shape: N messages published with publisher
 * confirms to a queue and consumed (ack per message), broker CPU µs per message from /proc.
 *   CELERY_BROKER_URL=amqp://... node --import @swc-node/register/esm-register bench/micro/broker-cost.ts [n]
 */
const { encodeTaskMessage } = await import('nestjs-celery');
const amqplib = (await import('amqplib')).default;
import type { Options } from 'amqplib';
import { findBrokerPid, processCpuUs } from '../lib/machine.js';
import { ORDER } from '../payload.js';
import { orderTaskSpec } from './stub-broker.js';

const url = process.env.CELERY_BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const N = Number(process.argv[2] ?? 20_000);
const queue = 'bench.micro.broker-cost';
const pid = findBrokerPid();
const connection = await amqplib.connect(url);
const channel = await connection.createConfirmChannel();
const channels = [channel, await connection.createConfirmChannel(), await connection.createConfirmChannel()];
let spread = 1;
await channel.assertQueue(queue, { durable: true });
await channel.purgeQueue(queue);
const consumer = await connection.createChannel();
await consumer.prefetch(100);
let received = 0;
let done: () => void = () => undefined;
await consumer.consume(queue, (m) => {
  if (!m) return;
  consumer.ack(m);
  if (++received === N) done();
});

const encoded = encodeTaskMessage(orderTaskSpec('c8f3e0a2-6f0e-4b7e-9a43-0d6f7d9b2d11'));
const celeryHeaders = encoded.properties.headers as Record<string, unknown>;
const json = Buffer.from(JSON.stringify(ORDER));
const smallHeaders = { task: 'bench.order', id: 'c8f3e0a2-6f0e-4b7e-9a43-0d6f7d9b2d11' };

async function run(label: string, body: Buffer, properties: Options.Publish): Promise<void> {
  received = 0;
  const finished = new Promise<void>((r) => (done = r));
  const cpu0 = processCpuUs(pid);
  const t0 = Date.now();
  let outstanding = 0;
  for (let i = 0; i < N; i++) {
    outstanding++;
    channels[i % spread]!.publish('', queue, body, properties, () => outstanding--);
    if (outstanding >= 1000) await new Promise((r) => setImmediate(r));
    while (outstanding >= 1000) await new Promise((r) => setTimeout(r, 1));
  }
  await finished;
  const cpu = processCpuUs(pid) - cpu0;
  console.log(`${label.padEnd(48)} broker ${(cpu / N).toFixed(1)} µs/msg, ${Math.round(N / ((Date.now() - t0) / 1000))} msg/s`);
}

const { argsrepr: _a, kwargsrepr: _k, ...rest } = celeryHeaders;
const shortRepr = { ...celeryHeaders, argsrepr: '(...)', kwargsrepr: '{}' };
const eightHeaders = Object.fromEntries(Object.entries(celeryHeaders).slice(0, 8));
for (let round = 0; round < 2; round++) {
  for (spread = 1; spread <= 3; spread++) {
    await run(`order JSON, contentType only, ${spread} channel(s)`, json, { contentType: 'application/json', deliveryMode: 1 });
    await run(`Celery message (16 headers), ${spread} channel(s)`, encoded.body, { ...encoded.properties, deliveryMode: 1 });
  }
  spread = 1;
  await run('Celery message, short argsrepr/kwargsrepr', encoded.body, { ...encoded.properties, headers: shortRepr, deliveryMode: 1 });
  await run('Celery body + first 8 Celery headers', encoded.body, { ...encoded.properties, headers: eightHeaders, deliveryMode: 1 });
  await run('Celery body + {task, id}', encoded.body, { ...encoded.properties, headers: smallHeaders, deliveryMode: 1 });
  await run('Celery body + {task, id, root_id}', encoded.body, { ...encoded.properties, headers: { ...smallHeaders, root_id: smallHeaders.id }, deliveryMode: 1 });
}
void rest;
await consumer.close();
await channel.deleteQueue(queue);
await connection.close();
