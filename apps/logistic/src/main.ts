import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ServerCelery } from 'nestjs-celery';
import { DemoFlowLogger } from '../../demo/src/demo-flow.logger.js';
import { LogisticModule } from './logistic.module.js';
import { logisticServerOptions } from './logistic.server.js';

/** `npm run start:logistic`: the logistic worker on `CELERY_BROKER_URL`. */
async function bootstrap(): Promise<void> {
  const server = new ServerCelery(logisticServerOptions());
  const app = await NestFactory.createMicroservice(LogisticModule.register(), { strategy: server, logger: DemoFlowLogger.forService('logistic') });
  app.enableShutdownHooks();
  await app.listen();
  console.log(`logistic worker ready: ${server.hostname}`);
}

bootstrap().catch((error: unknown) => {
  console.error('logistic worker failed to start:', error);
  process.exit(1);
});
