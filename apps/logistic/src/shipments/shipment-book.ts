import type { Shipment } from '@app/contracts';

/** What `dispatch` did: dispatched now, or why not. */
export type DispatchOutcome =
  | { kind: 'dispatched'; shipment: Shipment }
  | { kind: 'already-dispatched'; shipment: Shipment }
  | { kind: 'cancelled'; shipment: Shipment }
  | { kind: 'unknown' };

/** What `cancel` did: cancelled now, or why not. */
export type CancelOutcome =
  | { kind: 'cancelled'; shipment: Shipment }
  | { kind: 'already-cancelled'; shipment: Shipment }
  | { kind: 'too-late'; shipment: Shipment }
  | { kind: 'unknown' };

/**
 * Logistic's shipments, one per order: scheduled → dispatched, or scheduled → cancelled. Every
 * operation is idempotent per order, so redelivered events and tasks change nothing.
 */
export class ShipmentBook {
  private readonly byOrder = new Map<string, Shipment>();

  /** Schedules the order's shipment; `created` is false (and the first one kept) if it had one. */
  schedule(orderId: string, shipmentId: string, now: string): { shipment: Shipment; created: boolean } {
    const existing = this.byOrder.get(orderId);
    if (existing) return { shipment: existing, created: false };
    const shipment: Shipment = { shipmentId, orderId, status: 'scheduled', scheduledAt: now };
    this.byOrder.set(orderId, shipment);
    return { shipment, created: true };
  }

  /** Dispatches a scheduled shipment. */
  dispatch(orderId: string, now: string): DispatchOutcome {
    const shipment = this.byOrder.get(orderId);
    if (!shipment) return { kind: 'unknown' };
    if (shipment.status === 'dispatched') return { kind: 'already-dispatched', shipment };
    if (shipment.status === 'cancelled') return { kind: 'cancelled', shipment };
    shipment.status = 'dispatched';
    shipment.dispatchedAt = now;
    return { kind: 'dispatched', shipment };
  }

  /** Cancels a shipment that has not left yet. */
  cancel(orderId: string, now: string): CancelOutcome {
    const shipment = this.byOrder.get(orderId);
    if (!shipment) return { kind: 'unknown' };
    if (shipment.status === 'dispatched') return { kind: 'too-late', shipment };
    if (shipment.status === 'cancelled') return { kind: 'already-cancelled', shipment };
    shipment.status = 'cancelled';
    shipment.cancelledAt = now;
    return { kind: 'cancelled', shipment };
  }

  /** The order's shipment. */
  get(orderId: string): Shipment | undefined {
    return this.byOrder.get(orderId);
  }

  /** All shipments, in scheduling order. */
  list(): Shipment[] {
    return [...this.byOrder.values()];
  }
}
