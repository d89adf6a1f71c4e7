import { Logger } from '@nestjs/common';
import { ShipmentDispatched } from '@app/contracts';
import type { CeleryClient } from 'nestjs-celery';
import type { LogisticEventsPublisher } from './logistic-events.publisher.js';
import { InvalidLogisticOptionError, resolveLogisticOptions } from './logistic.options.js';
import { LogisticService } from './logistic.service.js';

const submit = (orderId: string) => ({ orderId, customer: 'ada', lines: [{ itemId: 'x', quantity: 1, unitPrice: 1 }], submittedAt: 't' });

describe('LogisticService', () => {
  let sent: Array<{ name: string; args: unknown[]; options: Record<string, unknown> }>;
  let published: unknown[];
  let logistic: LogisticService;

  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'warn', 'error']));
  beforeEach(() => {
    sent = [];
    published = [];
    const celery = {
      task: (definition: { name: string; defaults: Record<string, unknown> }) => ({
        applyAsync: async (args: unknown[], _kwargs: unknown, options: Record<string, unknown>) =>
          void sent.push({ name: definition.name, args, options: { ...definition.defaults, ...options } }),
      }),
    } as unknown as CeleryClient;
    const events = { dispatched: async (p: unknown) => void published.push(p) } as unknown as LogisticEventsPublisher;
    logistic = new LogisticService({ dispatchDelaySeconds: 2 }, celery, events);
  });

  it('schedules on submit and sends logistic.async.dispatch with the countdown', async () => {
    const shipment = await logistic.onOrderSubmitted(submit('o1'));
    expect(shipment).toMatchObject({ orderId: 'o1', status: 'scheduled' });
    expect(sent).toEqual([
      { name: 'logistic.async.dispatch', args: ['o1'], options: { countdown: 2 } }, // routed to logistic.async by the client's service convention
    ]);
    expect(logistic.track('o1')).toBe(shipment);
    expect(logistic.track('zz')).toBeNull();
  });

  it('dispatches once and publishes logistic.v1.dispatched once', async () => {
    const shipment = await logistic.onOrderSubmitted(submit('o1'));
    expect(await logistic.dispatch('o1')).toBe('dispatched');
    expect(await logistic.dispatch('o1')).toBe('already-dispatched');
    expect(published).toEqual([{ orderId: 'o1', shipmentId: shipment.shipmentId, dispatchedAt: new Date(shipment.dispatchedAt!) }]);
    expect(published[0]).toBeInstanceOf(ShipmentDispatched);
  });

  it('a redelivered submit keeps the shipment and only re-sends the (idempotent) dispatch while it waits', async () => {
    const first = await logistic.onOrderSubmitted(submit('o1'));
    const again = await logistic.onOrderSubmitted(submit('o1'));
    expect(again.shipmentId).toBe(first.shipmentId);
    expect(sent).toHaveLength(2);
    await logistic.dispatch('o1');
    await logistic.onOrderSubmitted(submit('o1'));
    expect(sent).toHaveLength(2);
  });

  it('a chargeback before the countdown cancels: the dispatch then does nothing', async () => {
    await logistic.onOrderSubmitted(submit('o1'));
    expect(logistic.onOrderChargedBack({ orderId: 'o1', reason: 'fraud' })).toBe('cancelled');
    expect(await logistic.dispatch('o1')).toBe('cancelled');
    expect(published).toEqual([]);
    expect(logistic.track('o1')?.status).toBe('cancelled');
  });

  it('a chargeback after dispatch is too late', async () => {
    await logistic.onOrderSubmitted(submit('o1'));
    await logistic.dispatch('o1');
    expect(logistic.onOrderChargedBack({ orderId: 'o1', reason: 'fraud' })).toBe('too-late');
  });
});

describe('resolveLogisticOptions', () => {
  it('defaults to 3 s, reads LOGISTIC_DISPATCH_DELAY_S, rejects a bad value', () => {
    expect(resolveLogisticOptions({}, {})).toEqual({ dispatchDelaySeconds: 3 });
    expect(resolveLogisticOptions({}, { LOGISTIC_DISPATCH_DELAY_S: '0.5' })).toEqual({ dispatchDelaySeconds: 0.5 });
    expect(() => resolveLogisticOptions({}, { LOGISTIC_DISPATCH_DELAY_S: 'soon' })).toThrow(InvalidLogisticOptionError);
  });
});
