/**
 * Payload of the event logistic publishes on its topic exchange `logistic`. Stand-in until the event
 * contract `ShipmentDispatched` of libs/contracts/src/events replaces it.
 */

/** `logistic.v1.dispatched`: the shipment of an order left the warehouse. */
export interface DispatchedPayload {
  orderId: string;
  shipmentId: string;
  /** ISO 8601 time (a `Date` once decoded into the `ShipmentDispatched` contract). */
  dispatchedAt: string | Date;
}

/** Routing keys of logistic's events. */
export const LogisticEvent = {
  Dispatched: 'logistic.v1.dispatched',
} as const;
