import type { Invoice } from '@app/contracts';

/** Billing's invoices, one per order. */
export class InvoiceBook {
  private readonly byOrder = new Map<string, Invoice>();

  /** Records an issued invoice; returns false (keeping the first) if the order already has one. */
  add(invoice: Invoice): boolean {
    if (this.byOrder.has(invoice.orderId)) return false;
    this.byOrder.set(invoice.orderId, { ...invoice });
    return true;
  }

  /** The invoice of an order. */
  get(orderId: string): Invoice | undefined {
    return this.byOrder.get(orderId);
  }

  /** Marks an order's invoice charged back; returns false if there is none or it already was. */
  markChargedBack(orderId: string, at: string): boolean {
    const invoice = this.byOrder.get(orderId);
    if (!invoice || invoice.status === 'charged_back') return false;
    invoice.status = 'charged_back';
    invoice.chargedBackAt = at;
    return true;
  }

  /** All invoices, in issue order. */
  list(): Invoice[] {
    return [...this.byOrder.values()];
  }

  /** Number of invoices. */
  get size(): number {
    return this.byOrder.size;
  }
}
