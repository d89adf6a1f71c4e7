import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ServerCelery } from 'nestjs-celery';
import { InteropWorkerModule } from './interop-worker.module.js';

/**
 * `npm run interop:worker`: a Nest worker consuming queue `interop` on `CELERY_BROKER_URL`,
 * built only from the public API. Interop tests run it beside real Python Celery.
 */
async function bootstrap(): Promise<void> {
  const server = new ServerCelery({
    brokerUrl: process.env.CELERY_BROKER_URL,
    queues: [process.env.INTEROP_QUEUE ?? 'interop'],
    defaultQueue: process.env.INTEROP_QUEUE ?? 'interop',
    deadLetter: process.env.INTEROP_DLX ? { exchange: process.env.INTEROP_DLX } : undefined,
    concurrency: 8,
  });
  const app = await NestFactory.createMicroservice(InteropWorkerModule, { strategy: server });
  app.enableShutdownHooks();
  await app.listen();
  console.log(`interop worker ready: ${server.hostname}`);
}

bootstrap().catch((error: unknown) => {
  console.error('interop worker failed to start:', error);
  process.exit(1);
});
