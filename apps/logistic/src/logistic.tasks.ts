import { Controller } from '@nestjs/common';
import type { Shipment } from '@app/contracts';
import { CeleryTask, TaskArg } from 'nestjs-celery';
import { LogisticService } from './logistic.service.js';

/** Logistic's Celery tasks: `logistic.sync.track` (blocking) and `logistic.async.dispatch` (delayed work). */
@Controller()
export class LogisticTasks {
  constructor(private readonly logistic: LogisticService) {}

  /** `logistic.sync.track(order_id)`: the order's shipment, or null. */
  @CeleryTask('logistic.sync.track', { params: ['order_id'] })
  track(@TaskArg(0) orderId: string): Shipment | null {
    return this.logistic.track(String(orderId));
  }

  /** `logistic.async.dispatch(order_id)`: sent by logistic itself with a countdown. */
  @CeleryTask('logistic.async.dispatch', { params: ['order_id'], ignoreResult: true })
  dispatch(@TaskArg(0) orderId: string): Promise<string> {
    return this.logistic.dispatch(String(orderId));
  }
}
