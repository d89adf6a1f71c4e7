/**
 * Micro-benchmark of the producer path: CeleryClient.sendTask on a stub broker (options, routing,
 * message encoding, the typed header copy amqplib encodes) and its parts.
 *   node --import @swc-node/register/esm-register bench/micro/send-task.ts [n]
 * With CELERY_BROKER_URL set, also the process CPU per W1 message (sendTask with the confirm,
 * 1000 in flight) on that broker, against amqplib publishing the order with a confirm.
 */
const { CeleryClient, encodeTaskMessage, amqplib, toPyAmqpTable } = await import('nestjs-celery');
import { pythonRepr } from '../../libs/nestjs-celery/src/protocol/python-repr.js';
import { ORDER } from '../payload.js';
import { orderTaskSpec, stubBroker } from './stub-broker.js';
import { median } from '../lib/stats.js';

let bytes = 0;
const broker = stubBroker((body, options) => {
  bytes += body.length + Object.keys(toPyAmqpTable(options.headers as Record<string, unknown>)).length;
});
const client = new CeleryClient({ broker, defaultQueue: 'bench.micro' });
await client.connect();
const options = { queue: 'bench.micro', ignoreResult: true, replyTo: null, deliveryMode: 1 } as const;
const N = Number(process.argv[2] ?? 200_000);
function time(label: string, fn: () => unknown, n = N): void {
  const results: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    results.push(Number(process.hrtime.bigint() - t0) / 1000 / n);
  }
  console.log(`${label}: best ${Math.min(...results).toFixed(2)} µs`);
}
async function timeAsync(label: string, fn: () => Promise<unknown>, n = N): Promise<void> {
  const results: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i += 100) {
      const batch: Promise<unknown>[] = [];
      for (let k = 0; k < 100; k++) batch.push(fn());
      await Promise.all(batch);
    }
    results.push(Number(process.hrtime.bigint() - t0) / 1000 / n);
  }
  console.log(`${label}: best ${Math.min(...results).toFixed(2)} µs`);
}
await timeAsync('sendTask (stub broker, incl. the typed header copy)', () => client.sendTask('bench.order', [ORDER], {}, options));
time('encodeTaskMessage (full headers)', () => encodeTaskMessage(orderTaskSpec('c8f3e0a2-6f0e-4b7e-9a43-0d6f7d9b2d11')));
time('encodeTaskMessage (compact headers, the default)', () =>
  encodeTaskMessage(Object.assign(orderTaskSpec('c8f3e0a2-6f0e-4b7e-9a43-0d6f7d9b2d11'), { wireHeaders: 'compact' as const })),
);
time('pythonRepr(args)', () => pythonRepr([ORDER], true));
time('JSON.stringify body', () => Buffer.from(JSON.stringify([[ORDER], {}, { callbacks: null, errbacks: null, chain: null, chord: null }])));
const headers = encodeTaskMessage(orderTaskSpec('c8f3e0a2-6f0e-4b7e-9a43-0d6f7d9b2d11')).properties.headers as Record<string, unknown>;
time('toPyAmqpTable(headers)', () => toPyAmqpTable(headers));
console.log(bytes > 0 ? 'ok' : 'nothing written');
await client.close();

const url = process.env.CELERY_BROKER_URL;
if (url) {
  const queue = 'bench.micro.send-task';
  const real = new CeleryClient({ brokerUrl: url, defaultQueue: queue });
  await real.connect();
  const connection = await amqplib.connect(url, { noDelay: true });
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true });
  const w1 = async (publishOne: () => Promise<unknown>, n = 20_000): Promise<number> => {
    await channel.purgeQueue(queue);
    const cpu0 = process.cpuUsage();
    let started = 0;
    const lane = async () => {
      while (started < n) {
        started++;
        await publishOne();
      }
    };
    await Promise.all(Array.from({ length: 1000 }, lane));
    const cpu = process.cpuUsage(cpu0);
    return (cpu.user + cpu.system) / n;
  };
  const sendTask = () => real.sendTask('bench.order', [ORDER], {}, { queue, ignoreResult: true, replyTo: null, deliveryMode: 1 });
  // amqplib itself: the floor for sendTask.
  const raw = () =>
    new Promise<void>((resolve, reject) =>
      channel.sendToQueue(queue, Buffer.from(JSON.stringify(ORDER)), { persistent: false, contentType: 'application/json' }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  await w1(sendTask);
  await w1(raw);
  const figures = { sendTask: [] as number[], raw: [] as number[] };
  for (let round = 0; round < 5; round++) {
    figures.sendTask.push(await w1(sendTask));
    figures.raw.push(await w1(raw));
  }
  const middle = (values: number[]) => median(values)!.toFixed(1);
  console.log(`W1 producer CPU on ${url.replace(/\/\/[^@/]*@/, '//')}: sendTask ${middle(figures.sendTask)} µs/msg, amqplib publish + confirm ${middle(figures.raw)} µs/msg (medians of 5)`);
  await channel.purgeQueue(queue);
  await connection.close();
  await real.close();
}
