import { Controller, Get, Header, Module, type DynamicModule } from '@nestjs/common';
import { CeleryMetrics } from './celery-metrics.js';

/** Options of {@link CeleryMetricsModule.forRoot}. */
export interface CeleryMetricsModuleOptions {
  /** The metrics to serve: the instance given to `ServerCelery({ observer })` and `CeleryModule.forRoot({ observer })`. */
  metrics: CeleryMetrics;
  /** HTTP path of the scrape endpoint. Default `metrics`. */
  path?: string;
}

/**
 * Serves a {@link CeleryMetrics} registry for Prometheus (`GET /metrics` by default) and provides
 * the `CeleryMetrics` instance for injection.
 *
 * ```ts
 * const metrics = new CeleryMetrics();
 * @Module({ imports: [CeleryModule.forRoot({ observer: metrics }), CeleryMetricsModule.forRoot({ metrics })] })
 * ```
 */
@Module({})
export class CeleryMetricsModule {
  static forRoot(options: CeleryMetricsModuleOptions): DynamicModule {
    const { metrics } = options;

    @Controller(options.path ?? 'metrics')
    class CeleryMetricsController {
      /** The registry in Prometheus' text format. */
      @Get()
      @Header('Content-Type', metrics.registry.contentType)
      scrape(): Promise<string> {
        return metrics.scrape();
      }
    }

    return {
      module: CeleryMetricsModule,
      controllers: [CeleryMetricsController],
      providers: [{ provide: CeleryMetrics, useValue: metrics }],
      exports: [CeleryMetrics],
    };
  }
}
