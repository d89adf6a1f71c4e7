import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { chargeOrder, scheduleShipment, type Invoice, type OrderLine, type Shipment } from '@app/contracts';
import { CeleryClient, CeleryRemoteError } from 'nestjs-celery';

/** What placing an order produced. */
export interface PlacedOrder {
  orderId: string;
  invoice?: Invoice;
  shipment?: Shipment;
  error?: string;
}

/** Places orders: billing charges them synchronously, logistic schedules the shipment from the invoice. */
@Injectable()
export class OrderService {
  private readonly logger = new Logger('order');

  constructor(private readonly celery: CeleryClient) {}

  async place(lines: OrderLine[]): Promise<PlacedOrder> {
    const orderId = randomUUID().slice(0, 8);
    const shipmentTaskId = randomUUID();
    this.logger.log(`order ${orderId}: calling billing.sync.charge (${lines.length} line(s))`);
    try {
      // The invoice feeds logistic.async.schedule as a link callback: billing's worker sends it.
      const charged = await this.celery
        .task(chargeOrder)
        .applyAsync([orderId, lines], {}, { link: scheduleShipment.s([], { taskId: shipmentTaskId }) });
      const invoice = await charged.get({ timeout: 10_000 });
      this.logger.log(`order ${orderId}: invoiced ${invoice.total} (${invoice.invoiceId.slice(0, 8)})`);
      const shipment = await this.celery.asyncResult<Shipment>(shipmentTaskId).get({ timeout: 10_000 });
      this.logger.log(`order ${orderId}: shipment ${shipment.shipmentId.slice(0, 8)} ${shipment.status}`);
      return { orderId, invoice, shipment };
    } catch (error) {
      if (error instanceof CeleryRemoteError) {
        this.logger.warn(`order ${orderId}: billing refused it: ${error.excType}: ${error.excMessage}`);
        return { orderId, error: `${error.excType}: ${error.excMessage}` };
      }
      throw error;
    }
  }
}
