import { randomUUID } from 'node:crypto';
import { Controller, Logger } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import type { Invoice, OrderLine } from '@app/contracts';
import { CeleryContext, CeleryTask, TaskArg } from 'nestjs-celery';

/** A bad order: travels to callers as Python's builtin ValueError. */
class ValueError extends Error {
  override readonly name = 'ValueError';
}

/** Billing's tasks. */
@Controller()
export class BillingTasks {
  private readonly logger = new Logger('billing');

  @CeleryTask('billing.sync.charge', { params: ['order_id', 'lines'] })
  charge(@TaskArg(0) orderId: string, @TaskArg(1) lines: OrderLine[], @Ctx() ctx: CeleryContext): Invoice {
    if (!Array.isArray(lines) || lines.length === 0) throw new ValueError(`order ${orderId} has no lines`);
    const total = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
    const invoice = { invoiceId: randomUUID(), orderId, total: Math.round(total * 100) / 100, issuedBy: ctx.hostname };
    this.logger.log(`billing.sync.charge[${ctx.id.slice(0, 8)}] order ${orderId}: invoice ${invoice.invoiceId.slice(0, 8)} total ${invoice.total}`);
    return invoice;
  }
}
