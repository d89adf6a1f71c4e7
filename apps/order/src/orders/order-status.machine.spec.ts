import { OrderStatusMachine, type OrderStatus, type OrderTransition } from './order-status.machine.js';

describe('OrderStatusMachine', () => {
  it.each<[OrderStatus, OrderTransition, OrderStatus, boolean]>([
    ['submitted', 'invoice', 'invoiced', true],
    ['invoiced', 'dispatch', 'dispatched', true],
    ['invoiced', 'charge_back', 'charged_back', true],
    ['dispatched', 'charge_back', 'charged_back', true],
    // events that arrive twice, late or out of order never move an order backwards
    ['submitted', 'dispatch', 'dispatched', true],
    ['invoiced', 'invoice', 'invoiced', false],
    ['dispatched', 'invoice', 'dispatched', false],
    ['dispatched', 'dispatch', 'dispatched', false],
    ['charged_back', 'invoice', 'charged_back', false],
    ['charged_back', 'dispatch', 'charged_back', false],
  ])('%s + %s → %s', (from, transition, to, changed) => {
    expect(OrderStatusMachine.apply(from, transition)).toEqual({ ok: true, status: to, changed });
  });

  it('refuses a chargeback before the invoice, and a second one, saying why', () => {
    expect(OrderStatusMachine.apply('submitted', 'charge_back')).toEqual({ ok: false, reason: 'it is not invoiced yet; retry once billing has invoiced it' });
    expect(OrderStatusMachine.apply('charged_back', 'charge_back')).toEqual({ ok: false, reason: 'it is already charged back' });
  });

  it('refuses what it does not know instead of throwing', () => {
    expect(OrderStatusMachine.apply('lost' as OrderStatus, 'invoice')).toMatchObject({ ok: false });
    expect(OrderStatusMachine.apply('submitted', 'refund' as OrderTransition)).toMatchObject({ ok: false });
  });
});
