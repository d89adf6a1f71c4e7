/**
 * The event bus against a real RabbitMQ: a producer (CeleryModule's EventPublisher) and two
 * consumer services (billing with two replicas, logistic) as Nest microservices on ServerCelery.
 * Wildcard bindings across v1 and v2, a third consumer added without touching the producer,
 * competing vs broadcast delivery, dispatch by routing key inside one queue, and the dead-letter
 * queue for invalid payloads, unknown versions and throwing handlers.
 */
import { Controller, Inject, Module, type INestApplicationContext, type INestMicroservice } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import {
  OrderChargedBack,
  OrderSubmitted,
  OrderSubmittedLine,
  OrderSubmittedV2,
  InvoiceIssued,
} from '@app/contracts';
import {
  amqplib,
  CeleryClient,
  CeleryModule,
  EVENT_FAILED_HANDLERS_HEADER,
  EventContext,
  EventPublisher,
  EventSubscriptionError,
  InvalidEventError,
  OnEvent,
  ServerCelery,
} from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import { deleteExchanges, deleteQueues, queueDepth } from './support/rabbitmq-admin.js';

/** Task queues the consumer services also consume (ServerCelery needs at least one). */
const TASK_QUEUES = { billing: 'events-e2e.billing', logistic: 'events-e2e.logistic', audit: 'events-e2e.audit', bad: 'events-e2e.bad' };
const EVENT_QUEUES = ['billing.order-events', 'logistic.order-events', 'logistic.billing-events', 'audit.order-events'];
const DEAD_LETTER = ['billing.dead-letter', 'logistic.dead-letter', 'audit.dead-letter'];

interface Received {
  instance: string;
  handler: string;
  routingKey: string;
  version: number | null;
  messageId: string;
  event: unknown;
}
const received: Received[] = [];
/** Every log line of the consumer services (Nest's and the worker's). */
const logLines: string[] = [];
const captureLogger = {
  log: (message: unknown) => void logLines.push(String(message)),
  error: (message: unknown) => void logLines.push(String(message instanceof Error ? message.stack : message)),
  warn: (message: unknown) => void logLines.push(String(message)),
  debug: () => undefined,
  verbose: () => undefined,
};
const INSTANCE = 'INSTANCE';

function record(instance: string, handler: string, event: unknown, ctx: EventContext): void {
  received.push({ instance, handler, routingKey: ctx.routingKey, version: ctx.version, messageId: ctx.messageId, event });
}

function receivedBy(handler: string, orderId?: string): Received[] {
  return received.filter((r) => r.handler === handler && (orderId === undefined || (r.event as { orderId?: string }).orderId === orderId));
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Publishes a marker OrderSubmitted behind everything sent so far and waits until each queue it
 * reaches (billing's shared queue, both broadcast queues, logistic's) delivered it: each queue
 * delivers in order, so anything sent earlier that was going to arrive has arrived. Then the
 * marker is dropped from `received`. Replaces a fixed "nothing more arrives" sleep.
 */
async function barrier(publisher: EventPublisher): Promise<void> {
  const orderId = `barrier-${received.length}-${Date.now()}`;
  await publisher.publish(submitted(orderId));
  await waitFor(
    () =>
      receivedBy('onSubmit', orderId).length === 1 &&
      receivedBy('onSubmitBroadcast', orderId).length === 2 &&
      receivedBy('logistic.onAnySubmit', orderId).length === 1,
    `the barrier event ${orderId}`,
  );
  for (let i = received.length - 1; i >= 0; i--) {
    if ((received[i]!.event as { orderId?: string }).orderId === orderId) received.splice(i, 1);
  }
}

/** Takes every message out of a queue (ack), returning headers and parsed body. */
async function drain(queue: string): Promise<Array<{ headers: Record<string, unknown>; body: unknown; routingKey: string }>> {
  const connection = await amqplib.connect(BROKER_URL);
  try {
    const channel = await connection.createChannel();
    const out = [];
    for (;;) {
      const message = await channel.get(queue, { noAck: true });
      if (!message) break;
      out.push({
        headers: (message.properties.headers ?? {}) as Record<string, unknown>,
        body: JSON.parse(message.content.toString()),
        routingKey: message.fields.routingKey,
      });
    }
    return out;
  } finally {
    await connection.close();
  }
}

function submitted(orderId: string): OrderSubmitted {
  const line = Object.assign(new OrderSubmittedLine(), { itemId: 'sku-1', quantity: 2, unitPrice: 9.5 });
  return Object.assign(new OrderSubmitted(), { orderId, customer: 'ada', lines: [line], submittedAt: new Date('2026-01-02T03:04:05.678Z') });
}

// ---------------------------------------------------------------- consumer services

@Controller()
class BillingEvents {
  constructor(@Inject(INSTANCE) private readonly instance: string) {}

  @OnEvent([OrderSubmitted, OrderSubmittedV2])
  onSubmit(@Payload() event: OrderSubmitted | OrderSubmittedV2, @Ctx() ctx: EventContext): void {
    record(this.instance, 'onSubmit', event, ctx);
  }

  @OnEvent(OrderChargedBack)
  async onChargeback(@Payload() event: OrderChargedBack, @Ctx() ctx: EventContext): Promise<void> {
    await new Promise((r) => setTimeout(r, 5));
    if (event.reason === 'boom') throw new Error('chargeback ledger unavailable');
    record(this.instance, 'onChargeback', event, ctx);
  }

  @OnEvent('order.*.submit', { exchange: 'order', broadcast: true })
  onSubmitBroadcast(@Payload() payload: unknown, @Ctx() ctx: EventContext): void {
    record(this.instance, 'onSubmitBroadcast', payload, ctx);
  }
}

@Controller()
class LogisticEvents {
  constructor(@Inject(INSTANCE) private readonly instance: string) {}

  @OnEvent('order.*.submit', { exchange: 'order', versions: [1, 2] })
  onAnySubmit(@Payload() payload: unknown, @Ctx() ctx: EventContext): void {
    record(this.instance, 'logistic.onAnySubmit', payload, ctx);
  }

  @OnEvent(InvoiceIssued)
  onInvoiced(@Payload() event: InvoiceIssued, @Ctx() ctx: EventContext): void {
    record(this.instance, 'logistic.onInvoiced', event, ctx);
  }
}

@Controller()
class AuditEvents {
  @OnEvent('order.#', { exchange: 'order' })
  onOrderEvent(@Payload() payload: unknown, @Ctx() ctx: EventContext): void {
    record('audit', 'audit.onOrderEvent', payload, ctx);
  }
}

async function startService(
  controller: new (...args: never[]) => unknown,
  instance: string,
  options: ConstructorParameters<typeof ServerCelery>[0],
): Promise<{ app: INestMicroservice; server: ServerCelery }> {
  @Module({ controllers: [controller], providers: [{ provide: INSTANCE, useValue: instance }] })
  class ServiceModule {}
  const moduleRef = await Test.createTestingModule({ imports: [ServiceModule] }).compile();
  const server = new ServerCelery({ brokerUrl: BROKER_URL, concurrency: 8, logger: captureLogger, ...options });
  const app = moduleRef.createNestMicroservice({ strategy: server, logger: captureLogger });
  await app.listen();
  return { app, server };
}

describe('events: typed, versioned events on topic exchanges (real RabbitMQ)', () => {
  let producer: INestApplicationContext;
  let publisher: EventPublisher;
  let raw: CeleryClient;
  const apps: INestMicroservice[] = [];
  let billingA: ServerCelery;

  beforeAll(async () => {
    await deleteQueues(BROKER_URL, ...EVENT_QUEUES, ...DEAD_LETTER, ...Object.values(TASK_QUEUES));
    const moduleRef = await Test.createTestingModule({ imports: [CeleryModule.forRoot({ brokerUrl: BROKER_URL, resultBackend: 'disabled' })] }).compile();
    producer = await moduleRef.init();
    publisher = producer.get(EventPublisher);
    raw = new CeleryClient({ brokerUrl: BROKER_URL, resultBackend: 'disabled' });
    const a = await startService(BillingEvents, 'billing-a', { service: 'billing', queues: [TASK_QUEUES.billing] });
    const b = await startService(BillingEvents, 'billing-b', { service: 'billing', queues: [TASK_QUEUES.billing] });
    const logistic = await startService(LogisticEvents, 'logistic-1', { service: 'logistic', queues: [TASK_QUEUES.logistic] });
    billingA = a.server;
    apps.push(a.app, b.app, logistic.app);
  }, 60_000);

  afterAll(async () => {
    await raw?.close();
    await producer?.close();
    await Promise.all(apps.map((app) => app.close()));
    await deleteQueues(BROKER_URL, ...EVENT_QUEUES, ...DEAD_LETTER, ...Object.values(TASK_QUEUES));
    await deleteExchanges(BROKER_URL, 'order', 'billing', ...DEAD_LETTER, ...Object.values(TASK_QUEUES));
  });

  beforeEach(() => {
    received.length = 0;
  });

  it('declares one durable queue per service and source exchange, plus per-instance broadcast queues', () => {
    expect(billingA.eventQueues()).toEqual(['billing.order-events', expect.stringMatching(/^billing\.order-events\..+/)]);
    expect(billingA.registeredTasks()).toEqual([]);
  });

  it('delivers v1 and v2 through wildcard bindings, as validated instances (dates, nested lines, numbers)', async () => {
    const id = await publisher.publish(submitted('o-1'));
    const v2 = Object.assign(new OrderSubmittedV2(), { ...submitted('o-2'), currency: 'EUR' });
    await publisher.publish(v2);
    await waitFor(() => receivedBy('onSubmit').length === 2 && receivedBy('logistic.onAnySubmit').length === 2, 'both versions');

    const [v1Seen] = receivedBy('onSubmit', 'o-1');
    expect(v1Seen).toMatchObject({ routingKey: 'order.v1.submit', version: 1, messageId: id });
    const event = v1Seen!.event as OrderSubmitted;
    expect(event).toBeInstanceOf(OrderSubmitted);
    expect(event.submittedAt).toBeInstanceOf(Date);
    expect(event.submittedAt.toISOString()).toBe('2026-01-02T03:04:05.678Z');
    expect(event.lines[0]).toBeInstanceOf(OrderSubmittedLine);
    expect(event.lines[0]).toEqual({ itemId: 'sku-1', quantity: 2, unitPrice: 9.5 });

    const [v2Seen] = receivedBy('onSubmit', 'o-2');
    expect(v2Seen).toMatchObject({ routingKey: 'order.v2.submit', version: 2 });
    expect(v2Seen!.event).toBeInstanceOf(OrderSubmittedV2);
    expect((v2Seen!.event as OrderSubmittedV2).currency).toBe('EUR');

    // The pattern subscriber gets the raw payload of both versions (dates as ISO strings).
    expect(receivedBy('logistic.onAnySubmit').map((r) => r.version).sort()).toEqual([1, 2]);
    expect(receivedBy('logistic.onAnySubmit', 'o-1')[0]!.event).toEqual({
      orderId: 'o-1',
      customer: 'ada',
      lines: [{ itemId: 'sku-1', quantity: 2, unitPrice: 9.5 }],
      submittedAt: '2026-01-02T03:04:05.678Z',
    });
  });

  it('replicas of a service compete on the shared queue; broadcast handlers get every event on each instance', async () => {
    const count = 40;
    await Promise.all(Array.from({ length: count }, (_, i) => publisher.publish(submitted(`c-${i}`))));
    await waitFor(
      () => receivedBy('onSubmit').length === count && receivedBy('onSubmitBroadcast').length === 2 * count,
      'competing and broadcast deliveries',
    );
    await barrier(publisher); // nothing more arrives
    const competing = receivedBy('onSubmit');
    expect(competing).toHaveLength(count);
    expect(new Set(competing.map((r) => (r.event as OrderSubmitted).orderId)).size).toBe(count);
    const perReplica = (instance: string) => competing.filter((r) => r.instance === instance).length;
    expect(perReplica('billing-a')).toBeGreaterThan(0);
    expect(perReplica('billing-b')).toBeGreaterThan(0);
    const broadcast = receivedBy('onSubmitBroadcast');
    expect(broadcast.filter((r) => r.instance === 'billing-a')).toHaveLength(count);
    expect(broadcast.filter((r) => r.instance === 'billing-b')).toHaveLength(count);
  });

  it('dispatches by routing key inside one queue: only the matching handlers run', async () => {
    await publisher.publish(Object.assign(new OrderChargedBack(), { orderId: 'cb-1', reason: 'fraud' }));
    await publisher.publish(Object.assign(new InvoiceIssued(), { orderId: 'cb-1', invoiceId: 'inv-1', total: 19 }));
    await waitFor(() => receivedBy('onChargeback').length === 1 && receivedBy('logistic.onInvoiced').length === 1, 'chargeback and invoice');
    await barrier(publisher);
    expect(received.map((r) => r.handler).sort()).toEqual(['logistic.onInvoiced', 'onChargeback']);
    expect(receivedBy('logistic.onInvoiced')[0]!.event).toEqual(Object.assign(new InvoiceIssued(), { orderId: 'cb-1', invoiceId: 'inv-1', total: 19 }));
  });

  it('refuses to publish an invalid event with a typed error, sending nothing', async () => {
    const bad = Object.assign(submitted('bad-1'), { lines: [{ itemId: 'x', quantity: '2', unitPrice: 1 }] });
    const error = await publisher.publish(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).violations.join()).toMatch(/lines\.0\.quantity/);
    await barrier(publisher);
    expect(received).toHaveLength(0);
  });

  it('dead-letters invalid payloads, unknown versions and throwing handlers with reason headers; never loops', async () => {
    // A payload that fails OrderSubmitted's validation, sent as a raw Celery message.
    await raw.sendTask('order.v1.submit', [{ orderId: 'inv-1', customer: 'x', lines: [], submittedAt: 'yesterday' }], {}, {
      exchange: 'order',
      routingKey: 'order.v1.submit',
    });
    // A version nobody accepts (logistic binds order.*.submit but takes v1 and v2 only).
    await raw.sendTask('order.v3.submit', [{ orderId: 'v3-1' }], {}, { exchange: 'order', routingKey: 'order.v3.submit' });
    // A handler that throws.
    await publisher.publish(Object.assign(new OrderChargedBack(), { orderId: 'boom-1', reason: 'boom' }));

    await waitFor(() => receivedBy('onSubmitBroadcast').length === 4, 'broadcast copies of inv-1 and v3-1');
    const billingDead = await collect('billing.dead-letter', 2);
    const invalid = billingDead.find((m) => m.headers['x-original-routing-key'] === 'order.v1.submit')!;
    expect(invalid.headers).toMatchObject({
      'x-celery-rejected-reason': 'invalid-payload',
      [EVENT_FAILED_HANDLERS_HEADER]: 'BillingEvents.onSubmit',
      'x-original-queue': 'billing.order-events',
      'x-original-exchange': 'order',
    });
    expect(String(invalid.headers['x-celery-rejected-detail'])).toMatch(/lines: lines must contain at least 1 elements.*submittedAt/);
    const failed = billingDead.find((m) => m.headers['x-original-routing-key'] === 'order.v1.chargeback')!;
    expect(failed.headers).toMatchObject({
      'x-celery-rejected-reason': 'handler-failed',
      [EVENT_FAILED_HANDLERS_HEADER]: 'BillingEvents.onChargeback',
    });
    expect(String(failed.headers['x-celery-rejected-detail'])).toContain('Error: chargeback ledger unavailable');
    expect((failed.body as unknown[][])[0]![0]).toEqual({ orderId: 'boom-1', reason: 'boom' });

    const logisticDead = await collect('logistic.dead-letter', 1);
    expect(logisticDead[0]!.headers['x-original-routing-key']).toBe('order.v3.submit');
    expect(logisticDead[0]!.headers['x-celery-rejected-reason']).toBe('unsupported-version');
    expect(String(logisticDead[0]!.headers['x-celery-rejected-detail'])).toContain('LogisticEvents.onAnySubmit');
    // The invalid v1 payload still reached the raw pattern subscriber, which does not validate.
    expect(receivedBy('logistic.onAnySubmit', 'inv-1')).toHaveLength(1);

    // A message that looped would be redelivered behind the barrier, or left in a queue.
    await barrier(publisher);
    expect(await queueDepth(BROKER_URL, 'billing.order-events')).toBe(0);
    expect(await queueDepth(BROKER_URL, 'logistic.order-events')).toBe(0);
    expect(await queueDepth(BROKER_URL, 'billing.dead-letter')).toBe(0);
    expect(receivedBy('onChargeback')).toHaveLength(0);
    // One log line per dead-lettered event (Nest's exception filter does not log the handler's error again).
    expect(logLines.filter((line) => line.includes('chargeback ledger unavailable'))).toEqual([
      expect.stringMatching(/^event order\.v1\.chargeback\[.+\] on 'billing\.order-events' not handled \(handler-failed\): BillingEvents\.onChargeback: Error: chargeback ledger unavailable; dead-lettered to 'billing\.dead-letter'$/),
    ]);
    expect(logLines.filter((line) => line.includes("'order.v3.submit'"))).toHaveLength(1);
  });

  it('a third consumer subscribes without any producer change', async () => {
    const audit = await startService(AuditEvents, 'audit', { service: 'audit', queues: [TASK_QUEUES.audit] });
    apps.push(audit.app);
    await publisher.publish(submitted('third-1'));
    await publisher.publish(Object.assign(new OrderChargedBack(), { orderId: 'third-1', reason: 'late' }));
    await waitFor(() => receivedBy('audit.onOrderEvent').length === 2 && receivedBy('onSubmit').length === 1, 'audit and billing');
    expect(receivedBy('audit.onOrderEvent').map((r) => r.routingKey).sort()).toEqual(['order.v1.chargeback', 'order.v1.submit']);
  });

  it('refuses to start @OnEvent handlers without a service name', async () => {
    @Module({ controllers: [AuditEvents] })
    class NoServiceModule {}
    const moduleRef = await Test.createTestingModule({ imports: [NoServiceModule] }).compile();
    const server = new ServerCelery({ brokerUrl: BROKER_URL, queues: [TASK_QUEUES.bad] });
    const app = moduleRef.createNestMicroservice({ strategy: server, logger: false });
    const error = await app.listen().catch((e: unknown) => e);
    await app.close().catch(() => undefined);
    expect(error).toBeInstanceOf(EventSubscriptionError);
    expect((error as Error).message).toMatch(/AuditEvents\.onOrderEvent.*'service' option/);
  });
});

/** Waits until `queue` holds `count` messages, then drains it. */
async function collect(queue: string, count: number) {
  const end = Date.now() + 10_000;
  while ((await queueDepth(BROKER_URL, queue)) < count) {
    if (Date.now() > end) throw new Error(`${queue} did not receive ${count} message(s)`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return drain(queue);
}
