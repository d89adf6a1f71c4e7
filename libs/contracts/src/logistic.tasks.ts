import { defineTask } from 'nestjs-celery';

/** A shipment logistic keeps for a submitted order. */
export interface Shipment {
  shipmentId: string;
  orderId: string;
  status: 'scheduled' | 'dispatched' | 'cancelled';
  /** ISO 8601 times. */
  scheduledAt: string;
  dispatchedAt?: string;
  cancelledAt?: string;
}

/** Logistic's blocking call: where the shipment of an order stands, or null when there is none. */
export const trackShipment = defineTask<[orderId: string], Shipment | null>('logistic.sync.track', {
  queue: 'logistic.sync',
  deliveryMode: 1,
});

/** Logistic's fire-and-forget work: dispatch the scheduled shipment of an order (sent with a countdown). */
export const dispatchShipment = defineTask<[orderId: string], void>('logistic.async.dispatch', {
  queue: 'logistic.async',
  ignoreResult: true,
  replyTo: null,
});
