import { describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import type { MessageHandler } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';
import { IsString } from 'class-validator';
import type { AmqpBroker } from '../broker/amqp-broker.js';
import type { Delivery } from '../broker/delivery.js';
import { CeleryEvent } from '../decorators/celery-event.decorator.js';
import { encodeTaskMessage } from '../protocol/task-message.encoder.js';
import { EventContext } from './event-context.js';
import { EVENT_FAILED_HANDLERS_HEADER, EventDispatcher, type EventDispatchHost } from './event-dispatcher.js';
import { CELERY_EVENT_SUBSCRIPTION, createEventSubscription, type EventSubscriptionTarget, type OnEventOptions } from './event-subscription.js';
import { EventSubscriptionError } from './event.errors.js';
import { UndecodableFieldTable } from '../broker/undecodable-field-table.js';

@CeleryEvent({ exchange: 'order', routingKey: 'order.v1.submit' })
class Submitted {
  @IsString() orderId!: string;
}

@CeleryEvent({ exchange: 'order', routingKey: 'order.v1.chargeback' })
class ChargedBack {
  @IsString() orderId!: string;
}

interface Call {
  handler: string;
  input: unknown;
  ctx: EventContext;
}

function handlerFor(name: string, target: EventSubscriptionTarget, options: OnEventOptions, calls: Call[], fail?: string): MessageHandler {
  const handler = (async (input: unknown, ctx: EventContext) => {
    calls.push({ handler: name, input, ctx });
    if (fail) throw new TypeError(fail);
  }) as unknown as MessageHandler;
  handler.extras = { [CELERY_EVENT_SUBSCRIPTION]: createEventSubscription(target, options, name) };
  return handler;
}

function delivery(routingKey: string, payload: unknown, id = 'm-1') {
  const encoded = encodeTaskMessage({ id, task: routingKey, args: [payload], origin: 'py@host' });
  const settled: string[] = [];
  const value: Delivery = {
    message: {
      content: encoded.body,
      properties: encoded.properties,
      fields: { routingKey, exchange: 'order', redelivered: false, deliveryTag: 1, consumerTag: 'c' },
    } as unknown as ConsumeMessage,
    ack: () => settled.push('ack'),
    reject: (requeue) => settled.push(requeue ? 'requeue' : 'reject'),
  };
  return { value, settled };
}

async function setUp(handlers: Record<string, MessageHandler>) {
  const work: Array<Promise<void>> = [];
  const deadLetters: Array<{ queue: string; reason: string; detail: string; headers: Record<string, unknown>; log: string }> = [];
  const logs: string[] = [];
  const host: EventDispatchHost = {
    hostname: 'nest1@host',
    logger: { log: (m: string) => logs.push(m), error: () => undefined, warn: () => undefined },
    isClosing: () => false,
    track: (w) => work.push(w),
    run: async (handler, payload, ctx) => {
      await handler(payload, ctx);
    },
    deadLetter: async (queue, d, reason, detail, logLine, headers) => {
      deadLetters.push({ queue, reason, detail, headers, log: logLine('dead-lettered', detail) });
      d.ack();
    },
  };
  const dispatcher = EventDispatcher.create(new Map(Object.entries(handlers)), 'billing', host)!;
  const consumers = new Map<string, (d: Delivery) => void>();
  const declared: unknown[] = [];
  const broker = {
    declare: async (t: unknown) => void declared.push(t),
    consume: async (queue: string, cb: (d: Delivery) => void) => {
      consumers.set(queue, cb);
      return { queue, setPrefetch: async () => undefined, cancel: async () => undefined };
    },
  } as unknown as AmqpBroker;
  await dispatcher.start(broker, 10);
  const deliver = async (queue: string, d: Delivery) => {
    consumers.get(queue)!(d);
    await Promise.all(work);
  };
  return { dispatcher, deliver, deadLetters, declared, logs };
}

describe('EventDispatcher', () => {
  it('runs every handler whose pattern matches the routing key, then acks once', async () => {
    const calls: Call[] = [];
    const { deliver, dispatcher, deadLetters, logs } = await setUp({
      a: handlerFor('B.onSubmit', Submitted, {}, calls),
      b: handlerFor('B.onChargeback', ChargedBack, {}, calls),
      c: handlerFor('B.onAny', 'order.#', { exchange: 'order' }, calls),
    });
    expect(dispatcher.queues).toEqual(['billing.order-events']);
    expect(logs).toEqual([expect.stringContaining("'billing.order-events' (order.v1.submit, order.v1.chargeback, order.#) for 3 handler(s)")]);

    const submit = delivery('order.v1.submit', { orderId: 'o-1' });
    await deliver('billing.order-events', submit.value);
    expect(calls.map((c) => c.handler)).toEqual(['B.onSubmit', 'B.onAny']);
    expect(calls[0]!.input).toBeInstanceOf(Submitted);
    expect(calls[1]!.input).toEqual({ orderId: 'o-1' });
    expect(calls[0]!.ctx).toMatchObject({ routingKey: 'order.v1.submit', version: 1, messageId: 'm-1', handler: 'B.onSubmit', exchange: 'order' });
    expect(submit.settled).toEqual(['ack']);
    expect(deadLetters).toEqual([]);

    calls.length = 0;
    const chargeback = delivery('order.v1.chargeback', { orderId: 'o-1' });
    await deliver('billing.order-events', chargeback.value);
    expect(calls.map((c) => c.handler)).toEqual(['B.onChargeback', 'B.onAny']);
  });

  it('dead-letters invalid payloads and failed handlers once, naming each, after the others ran', async () => {
    const calls: Call[] = [];
    const { deliver, deadLetters } = await setUp({
      a: handlerFor('B.onSubmit', Submitted, {}, calls),
      b: handlerFor('B.flaky', 'order.*.submit', { exchange: 'order' }, calls, 'ledger down'),
      c: handlerFor('B.ok', 'order.#', { exchange: 'order' }, calls),
    });
    const bad = delivery('order.v1.submit', { orderId: 7 }, 'm-9');
    await deliver('billing.order-events', bad.value);
    expect(calls.map((c) => c.handler)).toEqual(['B.flaky', 'B.ok']);
    expect(bad.settled).toEqual(['ack']);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      queue: 'billing.order-events',
      reason: 'invalid-payload,handler-failed',
      headers: { [EVENT_FAILED_HANDLERS_HEADER]: 'B.onSubmit,B.flaky' },
    });
    expect(deadLetters[0]!.detail).toMatch(/^B\.onSubmit: orderId: .*\| B\.flaky: TypeError: ledger down$/);
    expect(deadLetters[0]!.log).toMatch(/^event order\.v1\.submit\[m-9\] on 'billing\.order-events' not handled \(invalid-payload,handler-failed\): .*; dead-lettered$/);
  });

  it('dead-letters versions no handler accepts, and keys no handler subscribes to', async () => {
    const calls: Call[] = [];
    const { deliver, deadLetters } = await setUp({
      a: handlerFor('L.onSubmit', 'order.*.submit', { exchange: 'order', versions: [1, 2] }, calls),
    });
    await deliver('billing.order-events', delivery('order.v3.submit', {}).value);
    await deliver('billing.order-events', delivery('order.v1.refund', {}).value);
    expect(calls).toEqual([]);
    expect(deadLetters.map((d) => [d.reason, d.detail, d.headers])).toEqual([
      ['unsupported-version', "version 3 of 'order.v3.submit' is accepted by no handler (L.onSubmit)", {}],
      ['no-handler', "no @OnEvent handler subscribes to 'order.v1.refund'", {}],
    ]);
  });

  it('dead-letters messages that are not Celery tasks', async () => {
    const { deliver, deadLetters } = await setUp({ a: handlerFor('B.onSubmit', Submitted, {}, []) });
    const d = delivery('order.v1.submit', {});
    (d.value.message as { properties: { headers: unknown } }).properties.headers = {};
    (d.value.message as { content: Buffer }).content = Buffer.from('[1]');
    await deliver('billing.order-events', d.value);
    expect(deadLetters[0]!.reason).toBe('unknown-message');
  });

  it('dead-letters an event whose header table could not be decoded, with the decoder\'s reason', async () => {
    const { deliver, deadLetters } = await setUp({ a: handlerFor('B.onSubmit', Submitted, {}, []) });
    const d = delivery('order.v1.submit', {});
    (d.value.message as { properties: { headers: unknown } }).properties.headers = new UndecodableFieldTable(
      'field tables and arrays nested deeper than 100 levels (table of 28003 bytes)',
      Buffer.alloc(28_003),
    );
    await deliver('billing.order-events', d.value);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      reason: 'undecodable-headers',
      detail: 'the header table cannot be decoded: field tables and arrays nested deeper than 100 levels (table of 28003 bytes)',
    });
    expect(deadLetters[0]!.log).toMatch(/^event order\.v1\.submit\[.*\] on 'billing\.order-events' not handled \(undecodable-headers\): the header table cannot be decoded: .*; dead-lettered$/);
  });

  it('returns no dispatcher without handlers, and refuses handlers without a service', () => {
    const host = {} as EventDispatchHost;
    expect(EventDispatcher.create(new Map(), undefined, host)).toBeUndefined();
    const handlers = new Map([['x', handlerFor('B.onSubmit', Submitted, {}, [])]]);
    expect(() => EventDispatcher.create(handlers, undefined, host)).toThrow(EventSubscriptionError);
    expect(() => EventDispatcher.create(handlers, undefined, host)).toThrow(/B\.onSubmit.*'service' option/);
  });
});
