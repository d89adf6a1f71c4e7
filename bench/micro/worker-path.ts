/**
 * Micro-benchmark of the worker path above amqplib: a Nest microservice with ServerCelery on a stub
 * broker, fed pre-built deliveries (decode, Nest pipeline, settle). Prints process CPU µs per task (robust on a shared machine).
 * `--rpc` sends W3's calls instead of W1's fire-and-forget tasks: a reply queue and a result, published as a reply.
 *   node --import @swc-node/register/esm-register bench/micro/worker-path.ts [n] [--rpc]
 */
const { CeleryTask, ServerCelery, TaskArg, encodeTaskMessage } = await import('nestjs-celery');
const { Controller, Module } = await import('@nestjs/common');
const { NestFactory } = await import('@nestjs/core');
import type { ConsumeMessage } from 'amqplib';
import { orderReply, type Order } from '../payload.js';
import { orderTaskSpec, stubBroker } from './stub-broker.js';

const rpc = process.argv.includes('--rpc');
const N = Number(process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? 200_000);
let handled = 0;
let target = 0;
let done: () => void = () => undefined;

@Controller()
class Tasks {
  @CeleryTask('bench.order')
  order(@TaskArg(0) _order: unknown): void {
    if (++handled === target) done();
  }

  @CeleryTask('bench.rpc')
  rpc(@TaskArg(0) order: Order) {
    if (++handled === target) done();
    return orderReply(order);
  }
}
@Module({ controllers: [Tasks] })
class M {}

const broker = stubBroker();
let replies = 0;
broker.publishUnconfirmed = () => void replies++;
const app = await NestFactory.createMicroservice(M, {
  strategy: new ServerCelery({ broker, queues: ['bench.micro'], defaultQueue: 'bench.micro', prefetchCount: 100, concurrency: 100 }),
  logger: ['error', 'warn'],
});
await app.listen();

const messages = Array.from({ length: 1000 }, (_, i) => {
  const spec = orderTaskSpec(`id-${i}`);
  const { body, properties } = encodeTaskMessage(
    rpc ? { ...spec, task: 'bench.rpc', ignoreResult: false, replyTo: 'bench.micro.replies' } : spec,
  );
  const fields = { exchange: '', routingKey: 'bench.micro', redelivered: false, deliveryTag: i, consumerTag: 'micro' };
  return { content: body, properties: { ...properties, headers: { ...properties.headers } }, fields } as unknown as ConsumeMessage;
});
const onDelivery = broker.consumers.get('bench.micro')!;
let acks = 0;
async function run(n: number): Promise<number> {
  handled = 0;
  target = n;
  const finished = new Promise<void>((r) => (done = r));
  const cpu0 = process.cpuUsage();
  let i = 0;
  // feed in bursts of 100 (prefetch), yielding between bursts like socket reads
  await new Promise<void>((resolveAll) => {
    const burst = () => {
      for (let k = 0; k < 100 && i < n; k++, i++) {
        const message = messages[i % 1000]!;
        onDelivery({ message, ack: () => acks++, reject: () => undefined });
      }
      if (i < n) setImmediate(burst);
      else resolveAll();
    };
    burst();
  });
  await finished;
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / n;
}
await run(20_000);
const results: number[] = [];
for (let r = 0; r < 5; r++) results.push(await run(N));
console.log(`worker path${rpc ? ' (rpc)' : ''}: ${results.map((x) => x.toFixed(2)).join(' / ')} CPU µs per task (best ${Math.min(...results).toFixed(2)}), acks ${acks}, replies ${replies}`);
await app.close();
