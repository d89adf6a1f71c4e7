/**
 * Micro-benchmark of EventPublisher.publish on a stub broker (validation, transform, encoding; no I/O).
 *   node --import @swc-node/register/esm-register bench/micro/event-publish.ts [n]
 */
import 'reflect-metadata';
import { benchEventClass } from '../events/w4-systems.js';
import { ORDER } from '../payload.js';
import { stubBroker } from './stub-broker.js';
const { EventPublisher } = await import('nestjs-celery');
const BenchOrderPlaced = await benchEventClass('bench.micro');

let published = 0;
let lastBody: Buffer | undefined;
const broker = stubBroker((body) => {
  published++;
  lastBody = body;
});
const publisher = new EventPublisher(broker);
const event = Object.assign(new BenchOrderPlaced(), JSON.parse(JSON.stringify(ORDER)));
const N = Number(process.argv[2] ?? 50_000);
const results: number[] = [];
for (let r = 0; r < 5; r++) {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await publisher.publish(event, { persistent: false });
  const cpu = process.cpuUsage(cpu0);
  results.push((cpu.user + cpu.system) / N);
}
console.log(`event publish: ${results.map((x) => x.toFixed(2)).join(' / ')} CPU µs per event (best ${Math.min(...results).toFixed(2)}); ${published} published`);
if (!lastBody) throw new Error("nothing published");
