import { Injectable } from '@nestjs/common';
import { CeleryClient } from 'nestjs-celery';
import { InterimEventBridge } from '../../shared/src/interim-event.bridge.js';
import { LogisticEvent, type DispatchedPayload } from './logistic.payloads.js';

/**
 * Publishes logistic's events on its topic exchange `logistic`.
 * Wiring: `this.events.publish(new ShipmentDispatched(payload))` with the event bus's `EventPublisher`.
 */
@Injectable()
export class LogisticEventsPublisher {
  constructor(private readonly celery: CeleryClient) {}

  /** `logistic.v1.dispatched`. */
  dispatched(payload: DispatchedPayload): Promise<void> {
    return InterimEventBridge.publish(this.celery, 'logistic', LogisticEvent.Dispatched, payload);
  }
}
