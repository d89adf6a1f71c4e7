import { resultBackendFromEnv } from '@app/contracts';
import { Module, type DynamicModule } from '@nestjs/common';
import { CeleryModule } from 'nestjs-celery';
import { LogisticEventsController } from './logistic-events.controller.js';
import { LogisticEventsPublisher } from './logistic-events.publisher.js';
import { LOGISTIC_OPTIONS, resolveLogisticOptions, type LogisticModuleOptions } from './logistic.options.js';
import { LogisticService } from './logistic.service.js';
import { LogisticTasks } from './logistic.tasks.js';

/**
 * The logistic service: shipments, tasks `logistic.sync.track` / `logistic.async.dispatch` and the
 * handlers of order's events. Run it under a `ServerCelery` built from `logisticServerOptions()`.
 */
@Module({})
export class LogisticModule {
  /** The module with its Celery client and options (defaults from the environment). */
  static register(options: LogisticModuleOptions = {}): DynamicModule {
    // `services`: logistic.async.dispatch is routed by the convention to logistic.async.
    const celery = { brokerUrl: process.env.CELERY_BROKER_URL, connectionName: 'logistic', ...resultBackendFromEnv(), services: ['logistic'], ...options.celery };
    return {
      module: LogisticModule,
      imports: [CeleryModule.forRoot(celery)],
      controllers: [LogisticTasks, LogisticEventsController],
      providers: [{ provide: LOGISTIC_OPTIONS, useValue: resolveLogisticOptions(options) }, LogisticService, LogisticEventsPublisher],
      exports: [LogisticService],
    };
  }
}
