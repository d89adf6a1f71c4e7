import { Module, type DynamicModule } from '@nestjs/common';
import type { ServerCelery } from 'nestjs-celery';
import { CeleryHealthModule } from 'nestjs-celery/health';
import { CeleryMetricsModule, type CeleryMetrics } from 'nestjs-celery/metrics';
import { CeleryMonitorModule, type CeleryMonitorOptions } from 'nestjs-celery/monitor';
import { collectDefaultMetrics } from 'prom-client';
import { ServiceHealthController } from './service-health.controller.js';
import { SERVICE_WORKER } from './service-ops.tokens.js';

/** Options of {@link ServiceOpsModule.register}. */
export interface ServiceOpsOptions {
  /** The service's worker (checked by `/health`). */
  worker: ServerCelery;
  /** The metrics the worker and the service's `CeleryModule` observe into (served at `/metrics`, with Node's process metrics). */
  metrics: CeleryMetrics;
  /** Mount the Celery monitoring page (order mounts it at `/celery`). */
  monitor?: CeleryMonitorOptions;
}

/**
 * What each sample service exposes for operations, as a real team would: `GET /health`
 * (terminus, `nestjs-celery/health`), `GET /metrics` (Prometheus, `nestjs-celery/metrics`) and,
 * on one service, the monitoring page (`nestjs-celery/monitor`).
 */
@Module({})
export class ServiceOpsModule {
  static register(options: ServiceOpsOptions): DynamicModule {
    collectDefaultMetrics({ register: options.metrics.registry });
    return {
      module: ServiceOpsModule,
      imports: [
        CeleryHealthModule,
        CeleryMetricsModule.forRoot({ metrics: options.metrics }),
        ...(options.monitor ? [CeleryMonitorModule.forRoot(options.monitor)] : []),
      ],
      controllers: [ServiceHealthController],
      providers: [{ provide: SERVICE_WORKER, useValue: options.worker }],
    };
  }
}
