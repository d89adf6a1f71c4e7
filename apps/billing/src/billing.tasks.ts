import { Controller } from '@nestjs/common';
import type { Invoice, LedgerBalance } from '@app/contracts';
import { CeleryTask, TaskArg } from 'nestjs-celery';
import { BillingService } from './billing.service.js';

/** Billing's Celery tasks (queue `billing.sync`): blocking calls that return data. */
@Controller()
export class BillingTasks {
  constructor(private readonly billing: BillingService) {}

  /** `billing.sync.get_invoice(order_id)`: the order's invoice, or null when none was issued (yet). */
  @CeleryTask('billing.sync.get_invoice', { params: ['order_id'] })
  getInvoice(@TaskArg(0) orderId: string): Invoice | null {
    return this.billing.invoice(String(orderId));
  }

  /** `billing.sync.get_balance()`: ledger balances and the trial-balance check. */
  @CeleryTask('billing.sync.get_balance', { params: [] })
  getBalance(): LedgerBalance {
    return this.billing.balance();
  }
}
