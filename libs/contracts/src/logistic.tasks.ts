import { defineTask } from 'nestjs-celery';

/** A shipment logistic schedules for an invoiced order. */
export interface Shipment {
  shipmentId: string;
  orderId: string;
  status: 'scheduled';
}

/** Logistic's fire-and-forget work: schedule a shipment (receives the invoice from a chain or link). */
export const scheduleShipment = defineTask<[invoice: unknown], Shipment>('logistic.async.schedule', {
  queue: 'logistic.async',
});
