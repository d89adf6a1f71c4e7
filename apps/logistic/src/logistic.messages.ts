import type { Shipment } from '@app/contracts';

/** Logistic's log lines. */
export const LogisticMessages = {
  scheduled: (s: Shipment, delay: number) =>
    `order.v1.submit ${s.orderId}: shipment ${s.shipmentId.slice(0, 8)} scheduled, logistic.async.dispatch in ${delay}s`,
  alreadyScheduled: (orderId: string) => `order.v1.submit ${orderId}: shipment already scheduled (redelivery)`,
  dispatched: (s: Shipment) => `logistic.async.dispatch ${s.orderId}: shipment ${s.shipmentId.slice(0, 8)} dispatched → logistic.v1.dispatched`,
  notDispatched: (orderId: string, why: string) => `logistic.async.dispatch ${orderId}: not dispatched (${why})`,
  cancel: (orderId: string, outcome: string) => `order.v1.chargeback ${orderId}: shipment ${outcome}`,
} as const;
