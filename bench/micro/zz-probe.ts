const { encodeTaskMessage } = await import('nestjs-celery');
const amqplib = (await import('amqplib')).default;
import { findBrokerPid, processCpuUs } from '../lib/machine.js';
import { ORDER } from '../payload.js';
import { orderTaskSpec } from '../micro/stub-broker.js';
const pid = findBrokerPid();
const N = 20000;
const ROUNDS = Number(process.argv[2] ?? 5);
const connection = await amqplib.connect('amqp://guest:guest@127.0.0.1:5672/', { noDelay: true });
const confirm = await connection.createConfirmChannel();
const id = 'c8f3e0a2-6f0e-4b7e-9a43-0d6f7d9b2d11';
const encoded = encodeTaskMessage({ ...orderTaskSpec(id), wireHeaders: 'compact', deliveryMode: 1 });
const json = Buffer.from(JSON.stringify(ORDER));
const J = { contentType: 'application/json', deliveryMode: 1 };
const { ignore_result, ...noIgnore } = encoded.properties.headers as any;
const v1body = Buffer.from(JSON.stringify({ task: 'bench.order', id, args: [ORDER], kwargs: {}, root_id: id }));
const shapes: Record<string, [Buffer, any]> = {
  'A json, ct': [json, J],
  'E celery compact (sent)': [encoded.body, encoded.properties],
  'V1 body form + {ignore_result}': [v1body, { ...J, headers: { ignore_result: true } }],
  'V1 body form, ct+dm only': [v1body, J],
};
const results: Record<string, number[]> = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const [label, [body, props]] of Object.entries(shapes)) {
    const q = `bench.tmp.fill.${r}.${label.slice(0, 1)}`;
    await confirm.assertQueue(q, { durable: true });
    await new Promise((res) => setTimeout(res, 100));
    const c0 = processCpuUs(pid);
    for (let i = 0; i < N; i++) if (!confirm.publish('', q, body, props)) await new Promise((res) => confirm.once('drain', res));
    await confirm.waitForConfirms();
    const us = (processCpuUs(pid) - c0) / N;
    (results[label] ??= []).push(us);
    await confirm.deleteQueue(q);
  }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor((a.length - 1) / 2)]!;
for (const [label, v] of Object.entries(results)) console.log(label.padEnd(28), 'median', med(v).toFixed(1), 'µs/msg  ', v.map((x) => x.toFixed(1)).join(' '));
await connection.close();
