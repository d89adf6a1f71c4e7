import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ServerCelery } from 'nestjs-celery';
import { DemoFlowLogger } from '../../demo/src/demo-flow.logger.js';
import { OrderModule } from './order.module.js';
import { orderServerOptions } from './order.server.js';

/** `npm run start:order`: the order service, HTTP on `ORDER_PORT` (default 3000) and events on `CELERY_BROKER_URL`. */
async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(OrderModule.register(), { logger: DemoFlowLogger.forService('order') });
  app.connectMicroservice({ strategy: new ServerCelery(orderServerOptions()) });
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  const port = Number(process.env.ORDER_PORT ?? 3000);
  await app.listen(port, process.env.ORDER_HOST ?? '127.0.0.1');
  console.log(`order service ready: http://${process.env.ORDER_HOST ?? '127.0.0.1'}:${port}/orders`);
}

bootstrap().catch((error: unknown) => {
  console.error('order service failed to start:', error);
  process.exit(1);
});
