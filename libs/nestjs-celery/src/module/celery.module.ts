import { Inject, Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CeleryClient } from '../client/celery-client.js';
import type { CeleryModuleOptions } from './celery-module.options.js';
import { CELERY_MODULE_OPTIONS, CeleryConfigurableModule } from './celery.module-definition.js';

/**
 * Provides a {@link CeleryClient} through Nest DI:
 * `CeleryModule.forRoot({ brokerUrl })` or `CeleryModule.forRootAsync({ useFactory, inject })`,
 * then inject `CeleryClient` in any provider. The client connects on start-up and closes on shutdown.
 */
@Module({
  providers: [
    {
      provide: CeleryClient,
      useFactory: (options: CeleryModuleOptions) => new CeleryClient(options),
      inject: [CELERY_MODULE_OPTIONS],
    },
  ],
  exports: [CeleryClient],
})
export class CeleryModule extends CeleryConfigurableModule implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly client: CeleryClient,
    @Inject(CELERY_MODULE_OPTIONS) private readonly options: CeleryModuleOptions,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    if (this.options.connectOnInit !== false) await this.client.connect();
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.close();
  }
}
