import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { dispatchShipment, ShipmentDispatched, type OrderChargedBack, type OrderSubmission, type Shipment } from '@app/contracts';
import { CeleryClient } from 'nestjs-celery';
import { LogisticEventsPublisher } from './logistic-events.publisher.js';
import { LogisticMessages } from './logistic.messages.js';
import { LOGISTIC_OPTIONS, type ResolvedLogisticOptions } from './logistic.options.js';
import { ShipmentBook, type CancelOutcome, type DispatchOutcome } from './shipments/index.js';

/**
 * Logistic's application service: schedules a shipment per submitted order, dispatches it from the
 * delayed task `logistic.async.dispatch` and publishes `logistic.v1.dispatched`; a chargeback
 * cancels a shipment that has not left. Idempotent per order.
 */
@Injectable()
export class LogisticService {
  private readonly logger = new Logger('logistic');
  private readonly shipments = new ShipmentBook();

  constructor(
    @Inject(LOGISTIC_OPTIONS) private readonly options: ResolvedLogisticOptions,
    private readonly celery: CeleryClient,
    private readonly events: LogisticEventsPublisher,
  ) {}

  /** `order.*.submit`: schedules the shipment and sends `logistic.async.dispatch` with a countdown. */
  async onOrderSubmitted(order: Pick<OrderSubmission, 'orderId'>): Promise<Shipment> {
    const { shipment, created } = this.shipments.schedule(order.orderId, randomUUID(), new Date().toISOString());
    if (!created) this.logger.log(LogisticMessages.alreadyScheduled(order.orderId));
    // A redelivery sends the dispatch again while the shipment waits: dispatching is idempotent.
    if (shipment.status === 'scheduled') {
      const delay = this.options.dispatchDelaySeconds;
      await this.celery.task(dispatchShipment).applyAsync([order.orderId], {}, { countdown: delay });
      if (created) this.logger.log(LogisticMessages.scheduled(shipment, delay));
    }
    return shipment;
  }

  /** `logistic.async.dispatch`: dispatches the shipment (unless cancelled) and publishes `logistic.v1.dispatched`. */
  async dispatch(orderId: string): Promise<DispatchOutcome['kind']> {
    const outcome = this.shipments.dispatch(orderId, new Date().toISOString());
    if (outcome.kind !== 'dispatched') {
      this.logger.log(LogisticMessages.notDispatched(orderId, outcome.kind));
      return outcome.kind;
    }
    const { shipment } = outcome;
    const dispatched = Object.assign(new ShipmentDispatched(), { orderId, shipmentId: shipment.shipmentId, dispatchedAt: new Date(shipment.dispatchedAt!) });
    await this.events.dispatched(dispatched);
    this.logger.log(LogisticMessages.dispatched(shipment));
    return outcome.kind;
  }

  /** `order.*.chargeback`: cancels the shipment if it has not been dispatched. */
  onOrderChargedBack(chargeback: OrderChargedBack): CancelOutcome['kind'] {
    const outcome = this.shipments.cancel(chargeback.orderId, new Date().toISOString());
    this.logger.log(LogisticMessages.cancel(chargeback.orderId, outcome.kind));
    return outcome.kind;
  }

  /** The order's shipment, or null. */
  track(orderId: string): Shipment | null {
    return this.shipments.get(orderId) ?? null;
  }
}
