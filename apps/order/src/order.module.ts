import { resultBackendFromEnv } from '@app/contracts';
import { Module, type DynamicModule } from '@nestjs/common';
import { CeleryModule, type CeleryModuleOptions } from 'nestjs-celery';
import { OrderEventsController } from './order-events.controller.js';
import { OrderEventsPublisher } from './order-events.publisher.js';
import { OrderService } from './order.service.js';
import { OrdersController } from './orders.controller.js';
import { OrderStore } from './orders/index.js';

/** Options of {@link OrderModule.register}. */
export interface OrderModuleOptions {
  /** The Celery client's options, over the defaults `{ brokerUrl: CELERY_BROKER_URL, services: ['billing', 'logistic'] }` (e.g. a shared `broker`). */
  celery?: CeleryModuleOptions;
}

/**
 * The order service: HTTP API (`/orders`), the order store and status machine, and the handlers of
 * billing's and logistic's events. Serve it with Nest's HTTP adapter and connect a `ServerCelery`
 * built from `orderServerOptions()` for the events.
 */
@Module({})
export class OrderModule {
  /** The module with its Celery client (defaults from the environment). */
  static register(options: OrderModuleOptions = {}): DynamicModule {
    // `services`: billing.sync.* and logistic.sync.* calls are routed by the convention.
    const celery = { brokerUrl: process.env.CELERY_BROKER_URL, connectionName: 'order', ...resultBackendFromEnv(), services: ['billing', 'logistic'], ...options.celery };
    return {
      module: OrderModule,
      imports: [CeleryModule.forRoot(celery)],
      controllers: [OrdersController, OrderEventsController],
      providers: [OrderStore, OrderService, OrderEventsPublisher],
      exports: [OrderService],
    };
  }
}
