/**
 * The W1 producer alone under a CPU profile: CeleryClient.sendTask (ignoreResult, confirmed) of N
 * messages with 1000 in flight to a purged queue, then a self-time summary.
 *   CELERY_BROKER_URL=amqp://... node --import @swc-node/register/esm-register bench/micro/producer-profile.ts [n] [profile-file]
 * Prints the process CPU per message; with a file, writes the V8 CPU profile of the measured
 * window there (read it with bench/lib/profile.ts's summarizeProfile).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
const { CeleryClient } = await import('nestjs-celery');
import { ORDER } from '../payload.js';

const url = process.env.CELERY_BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const N = Number(process.argv[2] ?? 50_000);
const queue = 'bench.micro.producer-profile';
const client = new CeleryClient({ brokerUrl: url, defaultQueue: queue });
await client.connect();
const options = { queue, ignoreResult: true, replyTo: null, deliveryMode: 1 } as const;
const run = async (n: number): Promise<number> => {
  const cpu0 = process.cpuUsage();
  let started = 0;
  const lane = async () => {
    while (started < n) {
      started++;
      await client.sendTask('bench.order', [ORDER], {}, options);
    }
  };
  await Promise.all(Array.from({ length: 1000 }, lane));
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / n;
};
const profileFile = process.argv[3];
await run(5000);
const session = new Session();
if (profileFile) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const perMessage = await run(N);
if (profileFile) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(profileFile, JSON.stringify(profile));
}
console.log(`sendTask W1 producer CPU: ${perMessage.toFixed(1)} µs/msg over ${N}`);
await client.close();
