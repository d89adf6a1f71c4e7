import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ServerCelery } from 'nestjs-celery';
import { CeleryMetrics } from 'nestjs-celery/metrics';
import { DemoFlowLogger } from '../../demo/src/demo-flow.logger.js';
import { ServiceOpsModule } from '../../demo/src/ops/service-ops.module.js';
import { LogisticModule } from './logistic.module.js';
import { logisticServerOptions } from './logistic.server.js';

/** `npm run start:logistic`: the logistic worker on `CELERY_BROKER_URL`, with `/health` and `/metrics` on `LOGISTIC_PORT` (default 3002). */
async function bootstrap(): Promise<void> {
  const metrics = new CeleryMetrics();
  const server = new ServerCelery({ ...logisticServerOptions(), observer: metrics });

  @Module({ imports: [LogisticModule.register({ celery: { observer: metrics } }), ServiceOpsModule.register({ worker: server, metrics })] })
  class LogisticApp {}

  const app = await NestFactory.create(LogisticApp, { logger: DemoFlowLogger.forService('logistic') });
  app.connectMicroservice({ strategy: server });
  app.enableShutdownHooks();
  await app.init();
  await app.startAllMicroservices();
  const host = process.env.LOGISTIC_HOST ?? '127.0.0.1';
  const port = Number(process.env.LOGISTIC_PORT ?? 3002);
  await app.listen(port, host);
  console.log(`logistic worker ready: ${server.hostname} (health: http://${host}:${port}/health, metrics: http://${host}:${port}/metrics)`);
}

bootstrap().catch((error: unknown) => {
  console.error('logistic worker failed to start:', error);
  process.exit(1);
});
