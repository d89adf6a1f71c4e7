import { Inject, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { CeleryClient } from '../client/celery-client.js';
import type { CeleryModuleOptions } from './celery-module.options.js';
import { CELERY_ASYNC_OPTIONS_TYPE, CELERY_MODULE_CLIENT, CELERY_MODULE_OPTIONS, CELERY_OPTIONS_TYPE, CeleryConfigurableModule } from './celery.module-definition.js';

/** Options of `CeleryModule.forRoot()`: the client options plus `isGlobal` and `name`. */
export type CeleryModuleRootOptions = typeof CELERY_OPTIONS_TYPE;

/** Options of `CeleryModule.forRootAsync()`: `useFactory`/`inject`, `useClass` or `useExisting`, `imports`, `isGlobal`, `name`. */
export type CeleryModuleAsyncOptions = typeof CELERY_ASYNC_OPTIONS_TYPE;

/**
 * Provides a {@link CeleryClient}, an `EventPublisher` and a `CeleryClientProxy` (all sharing one
 * connection) through Nest DI: `CeleryModule.forRoot({ brokerUrl })` or
 * `CeleryModule.forRootAsync({ useFactory, inject })`, then inject them by class. Several
 * registrations side by side each take a `name` and are injected with `@InjectCeleryClient(name)`.
 *
 * The client connects on start-up and closes in `onApplicationShutdown`: after Nest closed the
 * connected microservices, so a `ServerCelery` draining its running tasks can still publish
 * their follow-ups (events, chained calls) through it.
 */
@Module({})
export class CeleryModule extends CeleryConfigurableModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(CELERY_MODULE_CLIENT) private readonly client: CeleryClient,
    @Inject(CELERY_MODULE_OPTIONS) private readonly options: CeleryModuleOptions,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    if (this.options.connectOnInit !== false) await this.client.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
