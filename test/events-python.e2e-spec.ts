/**
 * Events interoperate with real Python Celery 5.2.6 in both directions: a Python worker with
 * `@app.task(name='order.v1.submit')` on a queue bound to topic exchange `order` receives events a
 * Nest EventPublisher sends, and a Python `send_task('order.v1.submit', args=[payload],
 * exchange='order', routing_key='order.v1.submit')` reaches a Nest @OnEvent handler as a validated
 * instance.
 */
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { OrderSubmitted, OrderSubmittedLine, OrderSubmittedV2 } from '@app/contracts';
import { EventContext, EventPublisher, OnEvent, ServerCelery, CeleryClient } from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import { celeryRelease } from './support/celery-version.js';
import type { ManagedProcess } from './support/child-process.js';
import { runPython, startPythonWorker } from './support/python.js';
import { deleteExchanges, deleteQueues, queueDepth } from './support/rabbitmq-admin.js';

const PY_QUEUE = 'events-py.python-order-events';
const NEST_SERVICE = 'events-py-nest';
const NEST_QUEUES = [`${NEST_SERVICE}.order-events`, `${NEST_SERVICE}.dead-letter`, 'events-py.tasks'];

const seen: Array<{ event: unknown; routingKey: string; version: number | null; messageId: string }> = [];

@Controller()
class NestOrderEvents {
  @OnEvent([OrderSubmitted, OrderSubmittedV2])
  onSubmit(@Payload() event: OrderSubmitted, @Ctx() ctx: EventContext): void {
    seen.push({ event, routingKey: ctx.routingKey, version: ctx.version, messageId: ctx.messageId });
  }
}

@Module({ controllers: [NestOrderEvents] })
class NestOrderModule {}

interface PyLine {
  task: string;
  id: string;
  routing_key: string;
  exchange: string;
  payload: Record<string, unknown>;
  types: Record<string, string>;
  line_types: Record<string, string>;
}

async function waitFor<T>(read: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe(`events interoperate with Python Celery ${celeryRelease()}`, () => {
  let dir: string;
  let outFile: string;
  let pyWorker: ManagedProcess | undefined;
  let nest: INestMicroservice;
  let client: CeleryClient;
  let publisher: EventPublisher;

  beforeAll(async () => {
    await deleteQueues(BROKER_URL, PY_QUEUE, ...NEST_QUEUES);
    dir = mkdtempSync(join(tmpdir(), 'events-py-'));
    outFile = join(dir, 'received.jsonl');
    process.env.EVENTS_PY_QUEUE = PY_QUEUE;
    process.env.EVENTS_PY_OUT = outFile;
    pyWorker = await startPythonWorker('events_app', [PY_QUEUE]);
    const moduleRef = await Test.createTestingModule({ imports: [NestOrderModule] }).compile();
    nest = moduleRef.createNestMicroservice({
      strategy: new ServerCelery({ brokerUrl: BROKER_URL, service: NEST_SERVICE, queues: ['events-py.tasks'] }),
      logger: false,
    });
    await nest.listen();
    client = new CeleryClient({ brokerUrl: BROKER_URL, resultBackend: 'disabled' });
    publisher = new EventPublisher(client.unwrap());
  }, 90_000);

  afterAll(async () => {
    await pyWorker?.stop();
    await client?.close();
    await nest?.close();
    await deleteQueues(BROKER_URL, PY_QUEUE, ...NEST_QUEUES);
    await deleteExchanges(BROKER_URL, 'order', `${NEST_SERVICE}.dead-letter`, 'events-py.tasks');
    rmSync(dir, { recursive: true, force: true });
  });

  const pyReceived = (orderId: string): PyLine | undefined => {
    if (!existsSync(outFile)) return undefined;
    return readFileSync(outFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as PyLine)
      .find((line) => line.payload.orderId === orderId);
  };

  it('Nest → Python: a @app.task(name=routing key) worker on a queue bound to exchange order gets the payload', async () => {
    const line = Object.assign(new OrderSubmittedLine(), { itemId: 'sku-9', quantity: 3, unitPrice: 4.25 });
    const event = Object.assign(new OrderSubmitted(), { orderId: 'py-in-1', customer: 'grace', lines: [line], submittedAt: new Date('2026-03-04T05:06:07.089Z') });
    const id = await publisher.publish(event);
    const v2 = Object.assign(new OrderSubmittedV2(), { ...event, orderId: 'py-in-2', currency: 'CHF' });
    await publisher.publish(v2);

    const got = await waitFor(() => pyReceived('py-in-1'), 'the Python worker to run order.v1.submit');
    expect(got).toMatchObject({ task: 'order.v1.submit', id, routing_key: 'order.v1.submit', exchange: 'order' });
    expect(got.payload).toEqual({
      orderId: 'py-in-1',
      customer: 'grace',
      lines: [{ itemId: 'sku-9', quantity: 3, unitPrice: 4.25 }],
      submittedAt: '2026-03-04T05:06:07.089Z',
    });
    expect(got.types).toEqual({ orderId: 'str', customer: 'str', lines: 'list', submittedAt: 'str' });
    expect(got.line_types).toEqual({ itemId: 'str', quantity: 'int', unitPrice: 'float' });

    const gotV2 = await waitFor(() => pyReceived('py-in-2'), 'the Python worker to run order.v2.submit');
    expect(gotV2).toMatchObject({ task: 'order.v2.submit', routing_key: 'order.v2.submit' });
    expect(gotV2.payload.currency).toBe('CHF');
    expect(pyWorker!.log).not.toMatch(/Traceback|Received unregistered/);
  });

  it('Python → Nest: send_task to exchange order reaches @OnEvent as a validated instance', async () => {
    const payload = { orderId: 'py-out-1', customer: 'linus', lines: [{ itemId: 'sku-1', quantity: 1, unitPrice: 10 }], submittedAt: '2026-05-06T07:08:09.123456+00:00' };
    const { ids } = await runPython<{ ids: string[] }>('events_send.py', { events: [{ routing_key: 'order.v1.submit', payload }] });

    const arrived = await waitFor(() => seen.find((s) => (s.event as OrderSubmitted).orderId === 'py-out-1'), 'the Nest handler');
    expect(arrived).toMatchObject({ routingKey: 'order.v1.submit', version: 1, messageId: ids[0] });
    const event = arrived.event as OrderSubmitted;
    expect(event).toBeInstanceOf(OrderSubmitted);
    expect(event.lines[0]).toBeInstanceOf(OrderSubmittedLine);
    expect(event.lines[0]!.unitPrice).toBe(10);
    expect(event.submittedAt).toBeInstanceOf(Date);
    expect(event.submittedAt.toISOString()).toBe('2026-05-06T07:08:09.123Z');
  });

  it('Python → Nest: an invalid payload from Python is dead-lettered, not dropped', async () => {
    await runPython('events_send.py', { events: [{ routing_key: 'order.v1.submit', payload: { orderId: 'py-bad-1', lines: 'none' } }] });
    const dead = `${NEST_SERVICE}.dead-letter`;
    const end = Date.now() + 10_000;
    while ((await queueDepth(BROKER_URL, dead)) < 1) {
      if (Date.now() > end) throw new Error('no dead letter');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen.find((s) => (s.event as OrderSubmitted).orderId === 'py-bad-1')).toBeUndefined();
    expect(await queueDepth(BROKER_URL, `${NEST_SERVICE}.order-events`)).toBe(0);
  });
});
