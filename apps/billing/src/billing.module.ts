import { resultBackendFromEnv } from '@app/contracts';
import { Module, type DynamicModule } from '@nestjs/common';
import { CeleryModule } from 'nestjs-celery';
import { BillingEventsController } from './billing-events.controller.js';
import { BillingEventsPublisher } from './billing-events.publisher.js';
import { BILLING_OPTIONS, resolveBillingOptions, type BillingModuleOptions } from './billing.options.js';
import { BillingService } from './billing.service.js';
import { BillingTasks } from './billing.tasks.js';
import { InvoicePusher } from './invoice.pusher.js';
import { PaymentGateway, PaymentsTasks } from './payments/index.js';

/**
 * The billing service: ledger, invoices, tasks `billing.sync.get_invoice` / `get_balance`,
 * `billing.sync.charge` (payments/: rate limited, retried with backoff) and the handlers of order's events. Run it under a `ServerCelery` built from `billingServerOptions()`.
 */
@Module({})
export class BillingModule {
  /** The module with its Celery client and options (defaults from the environment). */
  static register(options: BillingModuleOptions = {}): DynamicModule {
    const celery = { brokerUrl: process.env.CELERY_BROKER_URL, connectionName: 'billing', ...resultBackendFromEnv(), ...options.celery };
    return {
      module: BillingModule,
      imports: [CeleryModule.forRoot(celery)],
      controllers: [BillingTasks, BillingEventsController, PaymentsTasks],
      providers: [
        { provide: BILLING_OPTIONS, useValue: resolveBillingOptions(options) },
        BillingService,
        BillingEventsPublisher,
        InvoicePusher,
        { provide: PaymentGateway, useFactory: () => new PaymentGateway() },
      ],
      exports: [BillingService],
    };
  }
}
