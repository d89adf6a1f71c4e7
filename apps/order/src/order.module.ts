import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { CeleryModule, type CeleryModuleOptions } from 'nestjs-celery';
import { InterimEventBridge } from '../../shared/src/interim-event.bridge.js';
import { OrderEventsController } from './order-events.controller.js';
import { OrderEventsPublisher } from './order-events.publisher.js';
import { ORDER_EVENT_ROUTES } from './order.server.js';
import { OrderService } from './order.service.js';
import { OrdersController } from './orders.controller.js';
import { OrderStore } from './orders/index.js';

/** Options of {@link OrderModule.register}. */
export interface OrderModuleOptions {
  /** The Celery client's options. Default: `{ brokerUrl: CELERY_BROKER_URL }`. */
  celery?: CeleryModuleOptions;
}

/**
 * The order service: HTTP API (`/orders`), the order store and status machine, and the handlers of
 * billing's and logistic's events. Serve it with Nest's HTTP adapter and connect a `ServerCelery`
 * built from `orderServerOptions()` for the events.
 */
@Module({})
export class OrderModule implements OnModuleInit {
  /** The module with its Celery client (defaults from the environment). */
  static register(options: OrderModuleOptions = {}): DynamicModule {
    const celery = options.celery ?? { brokerUrl: process.env.CELERY_BROKER_URL, connectionName: 'order' };
    return {
      module: OrderModule,
      imports: [CeleryModule.forRoot(celery)],
      controllers: [OrdersController, OrderEventsController],
      providers: [OrderStore, OrderService, OrderEventsPublisher],
      exports: [OrderService],
    };
  }

  /** Interim: declares the event exchanges, queue and bindings (wiring: the event bus does it). */
  async onModuleInit(): Promise<void> {
    await InterimEventBridge.declare(ORDER_EVENT_ROUTES);
  }
}
