import { Injectable } from '@nestjs/common';
import { CeleryClient } from 'nestjs-celery';
import { InterimEventBridge } from '../../shared/src/interim-event.bridge.js';
import { OrderEvent, type OrderChargebackPayload, type OrderSubmitPayload } from './order.payloads.js';

/**
 * Publishes order's events on its topic exchange `order`.
 * Wiring: `this.events.publish(new OrderSubmitted(payload))` / `new OrderChargedBack(payload)`
 * with the event bus's `EventPublisher`.
 */
@Injectable()
export class OrderEventsPublisher {
  constructor(private readonly celery: CeleryClient) {}

  /** `order.v1.submit`. */
  submitted(payload: OrderSubmitPayload): Promise<void> {
    return InterimEventBridge.publish(this.celery, 'order', OrderEvent.Submit, payload);
  }

  /** `order.v1.chargeback`. */
  chargedBack(payload: OrderChargebackPayload): Promise<void> {
    return InterimEventBridge.publish(this.celery, 'order', OrderEvent.Chargeback, payload);
  }
}
