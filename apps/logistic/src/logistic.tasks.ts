import { randomUUID } from 'node:crypto';
import { Controller, Logger } from '@nestjs/common';
import type { Invoice, Shipment } from '@app/contracts';
import { CeleryTask, TaskArg } from 'nestjs-celery';

/** Logistic's tasks. */
@Controller()
export class LogisticTasks {
  private readonly logger = new Logger('logistic');

  @CeleryTask('logistic.async.schedule', { params: ['invoice'] })
  schedule(@TaskArg(0) invoice: Invoice): Shipment {
    const shipment: Shipment = { shipmentId: randomUUID(), orderId: invoice.orderId, status: 'scheduled' };
    this.logger.log(`logistic.async.schedule order ${invoice.orderId}: shipment ${shipment.shipmentId.slice(0, 8)} scheduled`);
    return shipment;
  }
}
