/**
 * What RabbitMQ spends on a confirmed publish, by message shape, without a consumer: N messages
 * are published into a fresh queue and confirmed, and the broker's CPU per message is read from
 * /proc. Shapes alternate within each round; medians over the rounds are printed.
 *   node --import @swc-node/register/esm-register bench/micro/publish-cost.ts [rounds] [n]
 *
 * It shows the step at 64 bytes of AMQP properties (Erlang keeps binaries of up to 64 bytes on
 * the process heap and larger ones off it): a header `x` of 33 characters against 36, and what
 * that means for a Celery task in the compact v2 form against `wireHeaders: 'body'`.
 */
const { encodeTaskMessage } = await import('nestjs-celery');
const amqplib = (await import('amqplib')).default;
import type { Options } from 'amqplib';
import { findBrokerPid, processCpuUs } from '../lib/machine.js';
import { median } from '../lib/stats.js';
import { ORDER } from '../payload.js';
import { orderTaskSpec } from './stub-broker.js';

const url = process.env.CELERY_BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const ROUNDS = Number(process.argv[2] ?? 7);
const N = Number(process.argv[3] ?? 20_000);
const pid = findBrokerPid();
const connection = await amqplib.connect(url, { noDelay: true });
const channel = await connection.createConfirmChannel();

const id = 'c8f3e0a2-6f0e-4b7e-9a43-0d6f7d9b2d11';
const spec = { ...orderTaskSpec(id), deliveryMode: 1 as const };
const compact = encodeTaskMessage({ ...spec, wireHeaders: 'compact' });
const body = encodeTaskMessage({ ...spec, wireHeaders: 'body' });
const json = Buffer.from(JSON.stringify(ORDER));
const plain: Options.Publish = { contentType: 'application/json', deliveryMode: 1 };
/** Properties: flags (2) + content type (1 + 16) + delivery mode (1) + a table of one string header `x` (4 + 1 + 1 + 1 + 4 + n). */
const withHeader = (n: number): Options.Publish => ({ ...plain, headers: { x: 'x'.repeat(n) } });

const shapes: Array<[string, Buffer, Options.Publish]> = [
  ['bare JSON, content type only (20 B of properties)', json, plain],
  ['bare JSON + header of 33 chars (64 B)', json, withHeader(33)],
  ['bare JSON + header of 36 chars (67 B)', json, withHeader(36)],
  ["Celery task, wireHeaders 'compact'", compact.body, compact.properties],
  ["Celery task, wireHeaders 'body'", body.body, body.properties],
];

const results = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [label, content, properties] of shapes) {
    const queue = `bench.micro.publish-cost.${process.pid}.${round}.${results.size}`;
    await channel.assertQueue(queue, { durable: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const cpu0 = processCpuUs(pid);
    for (let i = 0; i < N; i++) {
      if (!channel.publish('', queue, content, properties)) await new Promise((resolve) => channel.once('drain', resolve));
    }
    await channel.waitForConfirms();
    (results.get(label) ?? results.set(label, []).get(label)!).push((processCpuUs(pid) - cpu0) / N);
    await channel.deleteQueue(queue);
  }
}
for (const [label, values] of results) {
  console.log(`${label.padEnd(52)} broker ${median(values)!.toFixed(1)} µs/publish (median of ${values.length}: ${values.map((v) => v.toFixed(1)).join(' ')})`);
}
await connection.close();
