import { ShipmentBook } from './shipment-book.js';

describe('ShipmentBook', () => {
  it('schedules one shipment per order (a repeated schedule keeps the first)', () => {
    const book = new ShipmentBook();
    expect(book.schedule('o1', 's1', 't0')).toEqual({ shipment: { shipmentId: 's1', orderId: 'o1', status: 'scheduled', scheduledAt: 't0' }, created: true });
    expect(book.schedule('o1', 's2', 't1')).toMatchObject({ shipment: { shipmentId: 's1' }, created: false });
    expect(book.list()).toHaveLength(1);
  });

  it('dispatches a scheduled shipment once', () => {
    const book = new ShipmentBook();
    book.schedule('o1', 's1', 't0');
    expect(book.dispatch('o1', 't1')).toMatchObject({ kind: 'dispatched', shipment: { status: 'dispatched', dispatchedAt: 't1' } });
    expect(book.dispatch('o1', 't2')).toMatchObject({ kind: 'already-dispatched', shipment: { dispatchedAt: 't1' } });
    expect(book.dispatch('nope', 't')).toEqual({ kind: 'unknown' });
  });

  it('cancels a shipment that has not left; a cancelled shipment is never dispatched', () => {
    const book = new ShipmentBook();
    book.schedule('o1', 's1', 't0');
    expect(book.cancel('o1', 't1')).toMatchObject({ kind: 'cancelled', shipment: { status: 'cancelled', cancelledAt: 't1' } });
    expect(book.cancel('o1', 't2')).toMatchObject({ kind: 'already-cancelled' });
    expect(book.dispatch('o1', 't3')).toMatchObject({ kind: 'cancelled', shipment: { status: 'cancelled' } });
    expect(book.get('o1')?.dispatchedAt).toBeUndefined();
  });

  it('cannot cancel a dispatched shipment, or one it does not know', () => {
    const book = new ShipmentBook();
    book.schedule('o1', 's1', 't0');
    book.dispatch('o1', 't1');
    expect(book.cancel('o1', 't2')).toMatchObject({ kind: 'too-late', shipment: { status: 'dispatched' } });
    expect(book.cancel('zz', 't2')).toEqual({ kind: 'unknown' });
  });
});
