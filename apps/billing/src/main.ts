import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ServerCelery } from 'nestjs-celery';
import { CeleryMetrics } from 'nestjs-celery/metrics';
import { DemoFlowLogger } from '../../demo/src/demo-flow.logger.js';
import { ServiceOpsModule } from '../../demo/src/ops/service-ops.module.js';
import { BillingModule } from './billing.module.js';
import { billingServerOptions } from './billing.server.js';

/** `npm run start:billing`: the billing worker on `CELERY_BROKER_URL`, with `/health` and `/metrics` on `BILLING_PORT` (default 3001). */
async function bootstrap(): Promise<void> {
  const metrics = new CeleryMetrics();
  const server = new ServerCelery({ ...billingServerOptions(), observer: metrics });

  @Module({ imports: [BillingModule.register({ celery: { observer: metrics } }), ServiceOpsModule.register({ worker: server, metrics })] })
  class BillingApp {}

  const app = await NestFactory.create(BillingApp, { logger: DemoFlowLogger.forService('billing') });
  app.connectMicroservice({ strategy: server });
  app.enableShutdownHooks();
  await app.init();
  await app.startAllMicroservices();
  const host = process.env.BILLING_HOST ?? '127.0.0.1';
  const port = Number(process.env.BILLING_PORT ?? 3001);
  await app.listen(port, host);
  console.log(`billing worker ready: ${server.hostname} (health: http://${host}:${port}/health, metrics: http://${host}:${port}/metrics)`);
}

bootstrap().catch((error: unknown) => {
  console.error('billing worker failed to start:', error);
  process.exit(1);
});
