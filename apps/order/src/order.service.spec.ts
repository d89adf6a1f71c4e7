import { Logger } from '@nestjs/common';
import { BrokerUnavailableError, CeleryTimeoutError, type CeleryClient } from 'nestjs-celery';
import type { OrderEventsPublisher } from './order-events.publisher.js';
import { OrderService } from './order.service.js';
import { OrderConflictError, OrderDependencyUnavailableError, OrderNotFoundError, OrderStore } from './orders/index.js';

const dto = { customer: 'ada', lines: [{ itemId: 'book', quantity: 2, unitPrice: 12.5 }] };

describe('OrderService', () => {
  let published: Array<[string, unknown]>;
  let publishError: Error | undefined;
  let invoiceAnswer: () => Promise<unknown>;
  let calls: Array<{ name: string; args: unknown[]; options: unknown }>;
  let orders: OrderService;

  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'warn', 'error']));
  beforeEach(() => {
    published = [];
    publishError = undefined;
    calls = [];
    invoiceAnswer = async () => null;
    const publish = (name: string) => async (payload: unknown) => {
      if (publishError) throw publishError;
      published.push([name, payload]);
    };
    const events = { submitted: publish('order.v1.submit'), chargedBack: publish('order.v1.chargeback') } as unknown as OrderEventsPublisher;
    const celery = {
      task: (definition: { name: string }) => ({
        call: (args: unknown[], options: unknown) => (calls.push({ name: definition.name, args, options }), invoiceAnswer()),
      }),
    } as unknown as CeleryClient;
    orders = new OrderService(new OrderStore(), events, celery);
  });

  it('submit stores the order and publishes the order.v1.submit payload', async () => {
    const order = await orders.submit(dto);
    expect(order).toMatchObject({ customer: 'ada', status: 'submitted', history: [{ status: 'submitted' }] });
    expect(published).toEqual([['order.v1.submit', { orderId: order.orderId, customer: 'ada', lines: dto.lines, submittedAt: order.submittedAt }]]);
    expect(orders.get(order.orderId)).toBe(order);
    expect(orders.list()).toEqual([order]);
  });

  it('a submit the bus did not take is not kept, and says so (503)', async () => {
    publishError = new BrokerUnavailableError('down');
    await expect(orders.submit(dto)).rejects.toThrow(OrderDependencyUnavailableError);
    expect(orders.list()).toEqual([]);
  });

  it('follows the events: invoiced, then dispatched; late and repeated events change nothing', async () => {
    const { orderId } = await orders.submit(dto);
    orders.onInvoiced({ orderId, invoiceId: 'inv-1', total: 30 });
    expect(orders.get(orderId)).toMatchObject({ status: 'invoiced', invoice: { invoiceId: 'inv-1', total: 30 } });
    orders.onDispatched({ orderId, shipmentId: 'sh-1', dispatchedAt: new Date('2026-01-01T10:00:00Z') });
    orders.onInvoiced({ orderId, invoiceId: 'inv-2', total: 99 });
    orders.onDispatched({ orderId, shipmentId: 'sh-2', dispatchedAt: new Date('2026-01-01T11:00:00Z') });
    const order = orders.get(orderId);
    expect(order).toMatchObject({ status: 'dispatched', invoice: { invoiceId: 'inv-1' }, shipment: { shipmentId: 'sh-1', dispatchedAt: '2026-01-01T10:00:00.000Z' } });
    expect(order.history.map((h) => h.status)).toEqual(['submitted', 'invoiced', 'dispatched']);
  });

  it('events about unknown orders are ignored', () => {
    expect(() => orders.onInvoiced({ orderId: 'zz', invoiceId: 'i', total: 1 })).not.toThrow();
  });

  it('chargeback: 409 before the invoice, then publishes order.v1.chargeback, then 409 again', async () => {
    const { orderId } = await orders.submit(dto);
    await expect(orders.chargeback(orderId, 'fraud')).rejects.toThrow(new OrderConflictError(`order ${orderId} cannot be charged back: it is not invoiced yet; retry once billing has invoiced it`));
    orders.onInvoiced({ orderId, invoiceId: 'inv-1', total: 30 });
    const order = await orders.chargeback(orderId, 'fraud');
    expect(order).toMatchObject({ status: 'charged_back', chargeback: { reason: 'fraud' } });
    expect(published[1]).toEqual(['order.v1.chargeback', { orderId, reason: 'fraud' }]);
    await expect(orders.chargeback(orderId, 'again')).rejects.toThrow('already charged back');
    orders.onDispatched({ orderId, shipmentId: 's', dispatchedAt: new Date() });
    expect(orders.get(orderId).status).toBe('charged_back');
  });

  it('a dispatch that overtook the invoice still cannot be charged back until invoiced', async () => {
    const { orderId } = await orders.submit(dto);
    orders.onDispatched({ orderId, shipmentId: 's', dispatchedAt: new Date() });
    await expect(orders.chargeback(orderId, 'x')).rejects.toThrow('not invoiced yet');
  });

  it('a chargeback the bus did not take leaves the order as it was', async () => {
    const { orderId } = await orders.submit(dto);
    orders.onInvoiced({ orderId, invoiceId: 'inv-1', total: 30 });
    publishError = new BrokerUnavailableError('down');
    await expect(orders.chargeback(orderId, 'fraud')).rejects.toThrow('the message bus is unavailable');
    expect(orders.get(orderId)).toMatchObject({ status: 'invoiced' });
    expect(orders.get(orderId).chargeback).toBeUndefined();
  });

  it('unknown orders are OrderNotFoundError', async () => {
    expect(() => orders.get('zz')).toThrow(new OrderNotFoundError('order zz not found'));
    await expect(orders.chargeback('zz', 'r')).rejects.toThrow(OrderNotFoundError);
    await expect(orders.invoice('zz')).rejects.toThrow(OrderNotFoundError);
    expect(calls).toEqual([]);
  });

  it('invoice asks billing.sync.get_invoice; null is 404, a timeout 503', async () => {
    const { orderId } = await orders.submit(dto);
    await expect(orders.invoice(orderId)).rejects.toThrow('has no invoice yet');
    invoiceAnswer = async () => ({ invoiceId: 'inv-1', orderId });
    await expect(orders.invoice(orderId)).resolves.toEqual({ invoiceId: 'inv-1', orderId });
    invoiceAnswer = async () => {
      throw new CeleryTimeoutError('t', 5000);
    };
    await expect(orders.invoice(orderId)).rejects.toThrow('billing did not answer within 5 s');
    expect(calls[0]).toEqual({ name: 'billing.sync.get_invoice', args: [orderId], options: { timeout: 5000, expires: 5 } });
  });
});
