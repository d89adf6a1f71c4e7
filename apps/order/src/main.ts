import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ServerCelery } from 'nestjs-celery';
import { CeleryMetrics } from 'nestjs-celery/metrics';
import { DemoFlowLogger } from '../../demo/src/demo-flow.logger.js';
import { ServiceOpsModule } from '../../demo/src/ops/service-ops.module.js';
import { OrderModule } from './order.module.js';
import { orderServerOptions } from './order.server.js';

/**
 * `npm run start:order`: the order service, HTTP on `ORDER_PORT` (default 3000) and events on
 * `CELERY_BROKER_URL`, with `/health`, `/metrics` and the Celery monitoring page at `/celery`.
 */
async function bootstrap(): Promise<void> {
  const metrics = new CeleryMetrics();
  const server = new ServerCelery({ ...orderServerOptions(), observer: metrics });

  @Module({
    imports: [
      OrderModule.register({ celery: { observer: metrics } }),
      ServiceOpsModule.register({ worker: server, metrics, monitor: { path: 'celery', brokerUrl: process.env.CELERY_BROKER_URL } }),
    ],
  })
  class OrderApp {}

  const app = await NestFactory.create(OrderApp, { logger: DemoFlowLogger.forService('order') });
  app.connectMicroservice({ strategy: server });
  app.enableShutdownHooks();
  await app.init();
  await app.startAllMicroservices();
  const host = process.env.ORDER_HOST ?? '127.0.0.1';
  const port = Number(process.env.ORDER_PORT ?? 3000);
  await app.listen(port, host);
  console.log(`order service ready: http://${host}:${port}/orders (worker ${server.hostname}; monitor: http://${host}:${port}/celery, health: /health, metrics: /metrics)`);
}

bootstrap().catch((error: unknown) => {
  console.error('order service failed to start:', error);
  process.exit(1);
});
