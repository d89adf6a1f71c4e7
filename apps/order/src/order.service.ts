import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { getInvoice, type Invoice, type InvoiceIssued, type ShipmentDispatched } from '@app/contracts';
import { BrokerUnavailableError, CeleryClient, CeleryTimeoutError, PublishNotConfirmedError } from 'nestjs-celery';
import type { CreateOrderDto } from './dto/index.js';
import { OrderEventsPublisher, type OrderSubmittedFields } from './order-events.publisher.js';
import { OrderMessages } from './order.messages.js';
import {
  OrderConflictError,
  OrderDependencyUnavailableError,
  OrderNotFoundError,
  OrderStatusMachine,
  OrderStore,
  type Order,
  type OrderTransition,
} from './orders/index.js';

/** How long `invoice()` waits for billing. */
const BILLING_TIMEOUT_MS = 5_000;

/**
 * The order service: takes orders, publishes `order.v1.submit` / `order.v1.chargeback`, follows
 * each order's status from billing's and logistic's events and asks billing for invoices.
 */
@Injectable()
export class OrderService {
  private readonly logger = new Logger('order');

  constructor(
    private readonly store: OrderStore,
    private readonly events: OrderEventsPublisher,
    private readonly celery: CeleryClient,
  ) {}

  /** Stores a new order and publishes `order.v1.submit`; the order is dropped again if that fails. */
  async submit(dto: CreateOrderDto): Promise<Order> {
    const now = new Date().toISOString();
    const order: Order = {
      orderId: randomUUID(),
      customer: dto.customer,
      lines: dto.lines.map(({ itemId, quantity, unitPrice }) => ({ itemId, quantity, unitPrice })),
      status: 'submitted',
      submittedAt: now,
      history: [{ status: 'submitted', at: now }],
    };
    this.store.add(order);
    try {
      await this.events.submitted(OrderService.submitPayload(order));
    } catch (error) {
      this.store.remove(order.orderId);
      throw OrderService.unavailable(error, 'the order could not be submitted');
    }
    this.logger.log(OrderMessages.submitted(order));
    return order;
  }

  /** What `order.v1.submit` says about an order. */
  static submitPayload(order: Order): OrderSubmittedFields {
    return { orderId: order.orderId, customer: order.customer, lines: order.lines, submittedAt: order.submittedAt };
  }

  /** The order with this id. @throws OrderNotFoundError */
  get(orderId: string): Order {
    const order = this.store.get(orderId);
    if (!order) throw new OrderNotFoundError(`order ${orderId} not found`);
    return order;
  }

  /** All orders, oldest first. */
  list(): Order[] {
    return this.store.list();
  }

  /**
   * Charges an invoiced order back and publishes `order.v1.chargeback` (billing reverses the sale,
   * logistic cancels the shipment if it has not left).
   * @throws OrderNotFoundError, OrderConflictError (not invoiced yet, or already charged back)
   */
  async chargeback(orderId: string, reason: string): Promise<Order> {
    const order = this.get(orderId);
    const result = OrderStatusMachine.apply(order.status, 'charge_back');
    if (!result.ok) throw new OrderConflictError(`order ${orderId} cannot be charged back: ${result.reason}`);
    if (!order.invoice) throw new OrderConflictError(`order ${orderId} cannot be charged back: it is not invoiced yet; retry once billing has invoiced it`);
    const previous = order.status;
    const at = new Date().toISOString();
    order.status = result.status;
    order.chargeback = { reason, at };
    try {
      await this.events.chargedBack({ orderId, reason });
    } catch (error) {
      order.status = previous;
      delete order.chargeback;
      throw OrderService.unavailable(error, 'the chargeback could not be submitted');
    }
    order.history.push({ status: order.status, at });
    this.logger.log(OrderMessages.chargedBack(order));
    return order;
  }

  /** `billing.v1.invoiced`: records the invoice, submitted → invoiced. */
  onInvoiced(payload: Pick<InvoiceIssued, 'orderId' | 'invoiceId' | 'total'>): void {
    this.transition('billing.v1.invoiced', payload.orderId, 'invoice', (order) => {
      order.invoice ??= { invoiceId: payload.invoiceId, total: payload.total };
    });
  }

  /** `logistic.v1.dispatched`: records the shipment, invoiced → dispatched. */
  onDispatched(payload: Pick<ShipmentDispatched, 'orderId' | 'shipmentId' | 'dispatchedAt'>): void {
    this.transition('logistic.v1.dispatched', payload.orderId, 'dispatch', (order) => {
      order.shipment ??= { shipmentId: payload.shipmentId, dispatchedAt: payload.dispatchedAt.toISOString() };
    });
  }

  /**
   * The order's invoice, from `billing.sync.get_invoice`.
   * @throws OrderNotFoundError (no order, or no invoice yet), OrderDependencyUnavailableError
   */
  async invoice(orderId: string): Promise<Invoice> {
    this.get(orderId);
    let invoice: Invoice | null;
    try {
      // `expires`: a request nobody took in time is dropped (REVOKED), not answered late.
      invoice = await this.celery.task(getInvoice).call([orderId], { timeout: BILLING_TIMEOUT_MS, expires: BILLING_TIMEOUT_MS / 1000 });
    } catch (error) {
      throw OrderService.unavailable(error, 'billing could not be asked for the invoice');
    }
    if (!invoice) throw new OrderNotFoundError(`order ${orderId} has no invoice yet; billing issues it shortly after submission`);
    return invoice;
  }

  private transition(event: string, orderId: string, transition: OrderTransition, record: (order: Order) => void): void {
    const order = this.store.get(orderId);
    if (!order) {
      this.logger.warn(OrderMessages.unknownOrder(event, orderId));
      return;
    }
    record(order);
    const result = OrderStatusMachine.apply(order.status, transition);
    if (result.ok && result.changed) {
      order.status = result.status;
      order.history.push({ status: result.status, at: new Date().toISOString() });
      this.logger.log(OrderMessages.transitioned(event, order));
    } else {
      this.logger.log(OrderMessages.unchanged(event, order));
    }
  }

  /** Broker and timeout failures become a 503 with a message; anything else is a bug and stays as is. */
  private static unavailable(error: unknown, what: string): unknown {
    if (error instanceof CeleryTimeoutError) {
      return new OrderDependencyUnavailableError(`${what}: billing did not answer within ${BILLING_TIMEOUT_MS / 1000} s; retry later`);
    }
    if (error instanceof BrokerUnavailableError || error instanceof PublishNotConfirmedError) {
      return new OrderDependencyUnavailableError(`${what}: the message bus is unavailable; retry later`);
    }
    return error;
  }
}
