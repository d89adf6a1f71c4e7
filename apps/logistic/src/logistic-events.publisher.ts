import { Injectable } from '@nestjs/common';
import { ShipmentDispatched } from '@app/contracts';
import { EventPublisher } from 'nestjs-celery';

/** Publishes logistic's events on its topic exchange `logistic`. */
@Injectable()
export class LogisticEventsPublisher {
  constructor(private readonly events: EventPublisher) {}

  /** `logistic.v1.dispatched`; resolves once the broker confirmed it. */
  async dispatched(event: ShipmentDispatched): Promise<void> {
    await this.events.publish(event);
  }
}
