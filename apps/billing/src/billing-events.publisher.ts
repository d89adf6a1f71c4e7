import { Injectable } from '@nestjs/common';
import { InvoiceIssued } from '@app/contracts';
import { EventPublisher } from 'nestjs-celery';

/** Publishes billing's events on its topic exchange `billing`. */
@Injectable()
export class BillingEventsPublisher {
  constructor(private readonly events: EventPublisher) {}

  /** `billing.v1.invoiced`; resolves once the broker confirmed it. */
  async invoiced(event: InvoiceIssued): Promise<void> {
    await this.events.publish(event);
  }
}
