import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CeleryTask, ServerCelery, TaskArg } from 'nestjs-celery';

let count = 0;

@Controller()
class ScaleTasks {
  /** The bench's task: returns its argument (a result goes back only for RPC calls). */
  @CeleryTask('scale.echo')
  echo(@TaskArg(0) n: number): number {
    count++;
    return n;
  }
}

@Module({ controllers: [ScaleTasks] })
class ScaleModule {}

/**
 * One worker process of the scale bench (bench/scale/scale.ts): consumes `SCALE_QUEUE` on
 * `SCALE_URL` (`;` list for a cluster) with `SCALE_QUEUE_TYPE`, prints `ready`, then `count <n>`
 * every 100 ms while the count changes.
 */
async function main(): Promise<void> {
  const env = process.env;
  const server = new ServerCelery({
    brokerUrl: env.SCALE_URL,
    queues: [env.SCALE_QUEUE ?? 'bench.scale'],
    queueType: env.SCALE_QUEUE_TYPE === 'quorum' ? 'quorum' : 'classic',
    concurrency: Number(env.SCALE_CONCURRENCY ?? 16),
    workerEvents: false,
    remoteControl: false,
  });
  const app = await NestFactory.createMicroservice(ScaleModule, { strategy: server, logger: ['error', 'warn'] });
  await app.listen();
  console.log('ready');
  let reported = -1;
  setInterval(() => {
    if (count !== reported) {
      reported = count;
      console.log(`count ${count}`);
    }
  }, 100);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error('scale worker failed:', error);
  process.exit(1);
});
