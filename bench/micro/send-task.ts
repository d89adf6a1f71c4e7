/**
 * Micro-benchmark of the producer path above amqplib: CeleryClient.sendTask on a stub broker
 * (options, routing, message encoding, header table write), and its parts.
 *   node --import @swc-node/register/esm-register bench/micro/send-task.ts [n]
 */
import { writeFieldTable } from '../../libs/nestjs-celery/src/protocol/field-table.encoder.js';
const { CeleryClient, encodeTaskMessage, pythonRepr } = await import('nestjs-celery');
import { ORDER } from '../payload.js';
import { orderTaskSpec, stubBroker } from './stub-broker.js';

const scratch = Buffer.alloc(65536);
let bytes = 0;
const broker = stubBroker((body, options) => {
  const headers = options.headers as { table?: Record<string, unknown> } | Record<string, unknown>;
  bytes += body.length + writeFieldTable((headers.table ?? headers) as Record<string, unknown>, scratch, 0);
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
await timeAsync('sendTask (stub broker, incl. header table write)', () => client.sendTask('bench.order', [ORDER], {}, options));
time('encodeTaskMessage', () => encodeTaskMessage(orderTaskSpec('c8f3e0a2-6f0e-4b7e-9a43-0d6f7d9b2d11')));
time('pythonRepr(args)', () => pythonRepr([ORDER], true));
time('JSON.stringify body', () => Buffer.from(JSON.stringify([[ORDER], {}, { callbacks: null, errbacks: null, chain: null, chord: null }])));
const headers = encodeTaskMessage(orderTaskSpec('c8f3e0a2-6f0e-4b7e-9a43-0d6f7d9b2d11')).properties.headers as Record<string, unknown>;
time('writeFieldTable(headers)', () => writeFieldTable(headers, scratch, 0));
console.log(bytes > 0 ? 'ok' : 'nothing written');
await client.close();
