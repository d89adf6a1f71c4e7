import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { CeleryModule } from 'nestjs-celery';
import { InterimEventBridge } from '../../shared/src/interim-event.bridge.js';
import { LogisticEventsController } from './logistic-events.controller.js';
import { LogisticEventsPublisher } from './logistic-events.publisher.js';
import { LOGISTIC_OPTIONS, resolveLogisticOptions, type LogisticModuleOptions } from './logistic.options.js';
import { LOGISTIC_EVENT_ROUTES } from './logistic.server.js';
import { LogisticService } from './logistic.service.js';
import { LogisticTasks } from './logistic.tasks.js';

/**
 * The logistic service: shipments, tasks `logistic.sync.track` / `logistic.async.dispatch` and the
 * handlers of order's events. Run it under a `ServerCelery` built from `logisticServerOptions()`.
 */
@Module({})
export class LogisticModule implements OnModuleInit {
  /** The module with its Celery client and options (defaults from the environment). */
  static register(options: LogisticModuleOptions = {}): DynamicModule {
    const celery = options.celery ?? { brokerUrl: process.env.CELERY_BROKER_URL, connectionName: 'logistic' };
    return {
      module: LogisticModule,
      imports: [CeleryModule.forRoot(celery)],
      controllers: [LogisticTasks, LogisticEventsController],
      providers: [{ provide: LOGISTIC_OPTIONS, useValue: resolveLogisticOptions(options) }, LogisticService, LogisticEventsPublisher],
      exports: [LogisticService],
    };
  }

  /** Interim: declares the event exchanges, queue and bindings (wiring: the event bus does it). */
  async onModuleInit(): Promise<void> {
    await InterimEventBridge.declare(LOGISTIC_EVENT_ROUTES);
  }
}
