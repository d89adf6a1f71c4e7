import { describe, expect, it } from '@jest/globals';
import { RecordingBroker, type Published } from '../../test/support/recording-broker.js';
import { decodeDelivery } from '../protocol/task-message.decoder.js';
import { serviceConvention } from '../routing/service-convention.js';
import { taskQueueTopology } from '../routing/task-queue.js';
import { TaskRouter } from '../routing/task-router.js';
import type { SendTaskOptions } from './send-task.options.js';
import { sendSignature } from './signature-call.js';
import { TaskProducer } from './task-producer.js';

function setup(routes?: ConstructorParameters<typeof TaskRouter>[0], withAsyncBroker = true) {
  const main = new RecordingBroker();
  const second = new RecordingBroker();
  const producer = new TaskProducer(main.asBroker(), 'celery', 'nest@host', {
    router: new TaskRouter(routes ?? { services: ['billing'] }),
    asyncBroker: withAsyncBroker ? second.asBroker() : undefined,
  });
  /** Routes a call, then sends it, as the client and the worker do. */
  const send = (name: string, args: unknown[], kwargs: Record<string, unknown>, options: SendTaskOptions) =>
    producer.send(name, args, kwargs, producer.route(name, args, kwargs, options));
  return { main, second, producer, send };
}

const wire = (p: Published) => ({ ...decodeDelivery(p.content, p.options), deliveryMode: p.options.deliveryMode });

describe('TaskProducer with a TaskRouter', () => {
  it('sends billing.sync.* to exchange billing, routing key = task name, transient, after declaring the convention queue once', async () => {
    const { main, second, send } = setup();
    await send('billing.sync.get_invoice', [42], {}, { replyTo: 'r' });
    await send('billing.sync.get_invoice', [43], {}, { replyTo: 'r' });
    expect(main.published.map((p) => [p.exchange, p.routingKey, p.options.deliveryMode])).toEqual([
      ['billing', 'billing.sync.get_invoice', 1],
      ['billing', 'billing.sync.get_invoice', 1],
    ]);
    expect(main.declared).toEqual([taskQueueTopology(serviceConvention('billing').sync)]);
    expect(wire(main.published[0]!)).toMatchObject({ task: 'billing.sync.get_invoice', args: [42], replyTo: 'r', ignoreResult: false });
    expect(second.published).toEqual([]);
  });

  it('sends billing.async.* persistent, ignore_result and without reply_to, on the async broker', async () => {
    const { main, second, send } = setup();
    await send('billing.async.rebuild_ledger', [], {}, {});
    expect(main.published).toEqual([]);
    expect(second.published.map((p) => [p.exchange, p.routingKey, p.options.deliveryMode])).toEqual([
      ['billing', 'billing.async.rebuild_ledger', 2],
    ]);
    expect(second.declared).toEqual([taskQueueTopology(serviceConvention('billing').async)]);
    expect(wire(second.published[0]!)).toMatchObject({ ignoreResult: true, replyTo: null });
  });

  it('uses the main broker for the async lane when there is no async broker', async () => {
    const { main, send } = setup(undefined, false);
    await send('billing.async.x', [], {}, {});
    expect(main.published.map((p) => p.routingKey)).toEqual(['billing.async.x']);
  });

  it("lets explicit options win: an explicit unknown queue goes Celery's queue= way (default exchange), deliveryMode as given", async () => {
    const { main, send } = setup();
    await send('billing.sync.get_invoice', [], {}, { queue: 'elsewhere', deliveryMode: 2 });
    expect([main.published[0]!.exchange, main.published[0]!.routingKey, main.published[0]!.options.deliveryMode]).toEqual([
      '',
      'elsewhere',
      2,
    ]);
  });

  it('routes follow-up signatures too (the worker producer), with globs and functions', async () => {
    const { main, producer, send } = setup({ routes: [{ 'reports.*': 'reports' }, (name) => (name === 'fn.task' ? { exchange: 'fx', routingKey: 'k' } : undefined)] });
    await sendSignature(producer, { task: 'reports.daily.build', args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false });
    await send('fn.task', [], {}, {});
    expect(main.published.map((p) => [p.exchange, p.routingKey])).toEqual([
      ['', 'reports'],
      ['fx', 'k'],
    ]);
  });
});
