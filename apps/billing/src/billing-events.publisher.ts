import { Injectable } from '@nestjs/common';
import { CeleryClient } from 'nestjs-celery';
import { InterimEventBridge } from '../../shared/src/interim-event.bridge.js';
import { BillingEvent, type InvoicedPayload } from './billing.payloads.js';

/**
 * Publishes billing's events on its topic exchange `billing`.
 * Wiring: `this.events.publish(new InvoiceIssued(payload))` with the event bus's `EventPublisher`.
 */
@Injectable()
export class BillingEventsPublisher {
  constructor(private readonly celery: CeleryClient) {}

  /** `billing.v1.invoiced`. */
  invoiced(payload: InvoicedPayload): Promise<void> {
    return InterimEventBridge.publish(this.celery, 'billing', BillingEvent.Invoiced, payload);
  }
}
