import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ServerCelery } from 'nestjs-celery';
import { BillingModule } from './billing.module.js';

/** The billing worker: consumes `billing.sync` on `CELERY_BROKER_URL`. */
async function bootstrap(): Promise<void> {
  const server = new ServerCelery({ queues: ['billing.sync'], defaultQueue: 'billing.sync' });
  const app = await NestFactory.createMicroservice(BillingModule, { strategy: server });
  app.enableShutdownHooks();
  await app.listen();
  console.log(`billing worker ready: ${server.hostname}`);
}

bootstrap().catch((error: unknown) => {
  console.error('billing worker failed to start:', error);
  process.exit(1);
});
