import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ServerCelery } from 'nestjs-celery';
import { DemoFlowLogger } from '../../demo/src/demo-flow.logger.js';
import { BillingModule } from './billing.module.js';
import { billingServerOptions } from './billing.server.js';

/** `npm run start:billing`: the billing worker on `CELERY_BROKER_URL`. */
async function bootstrap(): Promise<void> {
  const server = new ServerCelery(billingServerOptions());
  const app = await NestFactory.createMicroservice(BillingModule.register(), { strategy: server, logger: DemoFlowLogger.forService('billing') });
  app.enableShutdownHooks();
  await app.listen();
  console.log(`billing worker ready: ${server.hostname}`);
}

bootstrap().catch((error: unknown) => {
  console.error('billing worker failed to start:', error);
  process.exit(1);
});
