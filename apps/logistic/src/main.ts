import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ServerCelery } from 'nestjs-celery';
import { LogisticModule } from './logistic.module.js';

/** The logistic worker: consumes `logistic.async` on `CELERY_BROKER_URL`. */
async function bootstrap(): Promise<void> {
  const server = new ServerCelery({ queues: ['logistic.async'], defaultQueue: 'logistic.async' });
  const app = await NestFactory.createMicroservice(LogisticModule, { strategy: server });
  app.enableShutdownHooks();
  await app.listen();
  console.log(`logistic worker ready: ${server.hostname}`);
}

bootstrap().catch((error: unknown) => {
  console.error('logistic worker failed to start:', error);
  process.exit(1);
});
