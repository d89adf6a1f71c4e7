import { Inject, Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CeleryClient } from '../client/celery-client.js';
import { EventPublisher } from '../events/event-publisher.js';
import type { CeleryModuleOptions } from './celery-module.options.js';
import { CELERY_MODULE_OPTIONS, CeleryConfigurableModule } from './celery.module-definition.js';

/**
 * Provides a {@link CeleryClient} through Nest DI:
 * `CeleryModule.forRoot({ brokerUrl })` or `CeleryModule.forRootAsync({ useFactory, inject })`,
 * then inject `CeleryClient` (or `EventPublisher`, which shares its connection) in any provider. The client connects on start-up and closes on shutdown.
 */
@Module({
  providers: [
    {
      provide: CeleryClient,
      useFactory: (options: CeleryModuleOptions) => new CeleryClient(options),
      inject: [CELERY_MODULE_OPTIONS],
    },
    {
      provide: EventPublisher,
      useFactory: (client: CeleryClient, options: CeleryModuleOptions) => new EventPublisher(client.unwrap(), options.origin, options.wireHeaders),
      inject: [CeleryClient, CELERY_MODULE_OPTIONS],
    },
  ],
  exports: [CeleryClient, EventPublisher],
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
