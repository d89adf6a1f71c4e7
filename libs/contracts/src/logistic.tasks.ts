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

/*
 * Logistic's tasks follow the service convention: call them through a client that knows the
 * service (`new CeleryClient({ services: ['logistic'] })`): `logistic.sync.*` goes to queue
 * `logistic.sync` (transient, results), `logistic.async.*` to `logistic.async` (persistent, no result).
 */

/** Logistic's blocking call: where the shipment of an order stands, or null when there is none. */
export const trackShipment = defineTask<[orderId: string], Shipment | null>('logistic.sync.track');

/** Logistic's fire-and-forget work: dispatch the scheduled shipment of an order (sent with a countdown). */
export const dispatchShipment = defineTask<[orderId: string], void>('logistic.async.dispatch');
