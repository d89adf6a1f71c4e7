/**
 * `wireHeaders: 'body'` (protocol v1's layout: the task's fields in a dict body) against a real
 * Python Celery 5.2.6 worker (test/python/pyworker_app.py) and a real Nest worker, over RabbitMQ.
 * Python reads the form through `hybrid_to_proto2`; every option must reach the task as it does
 * with the default v2 headers.
 */
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import { OrderSubmitted, OrderSubmittedLine } from '@app/contracts';
import {
  CeleryClient,
  CeleryContext,
  CeleryRemoteError,
  CeleryTask,
  CeleryTimeoutError,
  EventContext,
  EventPublisher,
  OnEvent,
  ServerCelery,
  TaskArg,
} from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import type { ContextInfo, HeadersInfo } from './support/pyworker-results.js';
import type { ManagedProcess } from './support/child-process.js';
import { startPythonWorker } from './support/python.js';
import { deleteQueues } from './support/rabbitmq-admin.js';

const PY_QUEUE = 'e2e.body-form.py';
const NEST_QUEUE = 'e2e.body-form.nest';
/** The event queue of the Nest worker's service (`<service>.order-events`). */
const EVENT_QUEUE = 'bodyform.order-events';

const nestRuns: Array<{ id: string; rootId: string | null; group: string | null; args: unknown[] }> = [];
const events: Array<{ event: OrderSubmitted; messageId: string; routingKey: string }> = [];

@Controller()
class BodyFormTasks {
  @CeleryTask('bodyform.add')
  add(@TaskArg(0) x: number, @TaskArg(1) y: number, @Ctx() ctx: CeleryContext): number {
    nestRuns.push({ id: ctx.id, rootId: ctx.rootId, group: ctx.group, args: [x, y] });
    return x + y;
  }

  @OnEvent(OrderSubmitted)
  onSubmit(@Payload() event: OrderSubmitted, @Ctx() ctx: EventContext): void {
    events.push({ event, messageId: ctx.messageId, routingKey: ctx.routingKey });
  }
}

@Module({ controllers: [BodyFormTasks] })
class BodyFormModule {}

let python: ManagedProcess;
let nest: INestMicroservice;
let client: CeleryClient;

beforeAll(async () => {
  await deleteQueues(BROKER_URL, PY_QUEUE, NEST_QUEUE, EVENT_QUEUE);
  python = await startPythonWorker('pyworker_app', [PY_QUEUE]);
  nest = await NestFactory.createMicroservice(BodyFormModule, {
    strategy: new ServerCelery({ brokerUrl: BROKER_URL, queues: [NEST_QUEUE], service: 'bodyform', wireHeaders: 'body' }),
    logger: ['error', 'warn'],
  });
  await nest.listen();
  client = new CeleryClient({ brokerUrl: BROKER_URL, defaultQueue: PY_QUEUE, wireHeaders: 'body' });
  await client.connect();
}, 90_000);

afterAll(async () => {
  await client?.close();
  await nest?.close();
  await python?.stop();
  await deleteQueues(BROKER_URL, PY_QUEUE, NEST_QUEUE, EVENT_QUEUE).catch(() => undefined);
});

describe("wireHeaders 'body' -> Python Celery 5.2.6 worker", () => {
  it('runs a task and returns its result over rpc:// (reply_to and correlation_id set)', async () => {
    const r = await client.sendTask<HeadersInfo>('pyinterop.headers', ['x-custom'], {}, { headers: { 'x-custom': 'v' } });
    const info = await r.get({ timeout: 10_000 });
    expect(info.custom).toEqual({ 'x-custom': 'v' });
    expect(info.reply_to).toBe(client.replyQueue);
    expect(info.correlation_id).toBe(r.id);
    expect(info.ignore_result).toBe(false);
  });

  it('every option reaches the task: countdown, expires, time limits, shadow, priority', async () => {
    const before = Date.now();
    const r = await client.sendTask<HeadersInfo>('pyinterop.headers', [], {}, {
      countdown: 1,
      expires: 60,
      timeLimit: 30,
      softTimeLimit: 20,
      shadow: 'body-alias',
      priority: 4,
    });
    const info = await r.get({ timeout: 10_000 });
    expect(Date.now() - before).toBeGreaterThanOrEqual(900);
    expect(Date.parse(info.eta!)).toBeGreaterThanOrEqual(before + 900);
    expect(Date.parse(info.expires!)).toBeGreaterThan(before + 50_000);
    expect(info.timelimit).toEqual([30, 20]);
    expect(info.shadow).toBe('body-alias');
    expect(info.priority_property).toBe(4);
  });

  it('a root task is its own root; group members carry the group id', async () => {
    const r = await client.sendTask<ContextInfo>('pyinterop.context');
    await expect(r.get({ timeout: 10_000 })).resolves.toEqual({ id: r.id, root_id: r.id, parent_id: null, group: null, retries: 0 });
    const context = client.signature('pyinterop.context', [], {}, { queue: PY_QUEUE });
    const group = await client.group<ContextInfo>([context, context]);
    const infos = await group.get({ timeout: 15_000 });
    expect(infos.map((i) => i.group)).toEqual([group.id, group.id]);
  });

  it('ignoreResult: true reaches the worker as a header (hybrid_to_proto2 merges headers): it runs, no SUCCESS reply', async () => {
    const r = await client.sendTask<number>('pyinterop.add', [7, 8], {}, { ignoreResult: true });
    await python.waitFor(new RegExp(`Task pyinterop\\.add\\[${r.id}\\] succeeded in [0-9.e-]+s: 15`), 10_000);
    await expect(r.get({ timeout: 500 })).rejects.toBeInstanceOf(CeleryTimeoutError);
  });

  it('fire-and-forget without a reply queue runs too', async () => {
    const r = await client.sendTask<number>('pyinterop.add', [2, 40], {}, { ignoreResult: true, replyTo: null });
    await python.waitFor(new RegExp(`Task pyinterop\\.add\\[${r.id}\\] succeeded in [0-9.e-]+s: 42`), 10_000);
  });

  it('a Python failure arrives as CeleryRemoteError', async () => {
    const r = await client.sendTask('pyinterop.fail', ['body form']);
    const error = await r.get({ timeout: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CeleryRemoteError);
    expect((error as CeleryRemoteError).excArgs).toEqual(['body form']);
  });

  it('link and linkError (callbacks and errbacks in the body) are applied by Python', async () => {
    const callbackId = `body-link-${Date.now()}`;
    const callback = client.signature('pyinterop.add', [10], {}, { queue: PY_QUEUE, taskId: callbackId, replyTo: client.replyQueue });
    const r = await client.sendTask<number>('pyinterop.add', [2, 3], {}, { link: callback });
    await expect(r.get({ timeout: 10_000 })).resolves.toBe(5);
    await expect(client.asyncResult<number>(callbackId).get({ timeout: 10_000 })).resolves.toBe(15);

    const errback = client.signature('pyinterop.on_error', [], {}, { queue: PY_QUEUE, replyTo: client.replyQueue });
    const failed = await client.sendTask('pyinterop.fail', ['for errback'], {}, { linkError: errback });
    await expect(failed.get({ timeout: 10_000 })).rejects.toBeInstanceOf(CeleryRemoteError);
    await python.waitFor(new RegExp(`Task pyinterop\\.on_error\\[[^\\]]+\\] succeeded in [0-9.e-]+s: '${failed.id}'`), 10_000);
  });

  it('a chain (sent in the compact v2 form: the v1 layout has no chain) runs to the end', async () => {
    const r = await client.chain<number>(
      client.signature('pyinterop.add', [1, 2], {}, { queue: PY_QUEUE }),
      client.signature('pyinterop.add', [10], {}, { queue: PY_QUEUE }),
      client.signature('pyinterop.mul', [3], {}, { queue: PY_QUEUE }),
    );
    await expect(r.get({ timeout: 15_000 })).resolves.toBe(39);
  });

  it('the Python worker never saw an invalid message', async () => {
    expect(python.log).not.toMatch(/Received invalid task message/);
    expect(python.log).not.toMatch(/Received and deleted unknown message/);
    expect(python.log).not.toMatch(/CRITICAL|Unrecoverable error/);
    expect(python.child.exitCode).toBeNull();
  });
});

describe("wireHeaders 'body' -> Nest worker (ServerCelery)", () => {
  it('runs the task with its arguments and context, and returns its result', async () => {
    const r = await client.sendTask<number>('bodyform.add', [2, 3], {}, { queue: NEST_QUEUE });
    await expect(r.get({ timeout: 10_000 })).resolves.toBe(5);
    expect(nestRuns.find((run) => run.id === r.id)).toEqual({ id: r.id, rootId: r.id, group: null, args: [2, 3] });
  });

  it('ignoreResult: true -> runs, no reply', async () => {
    const r = await client.sendTask<number>('bodyform.add', [4, 4], {}, { queue: NEST_QUEUE, ignoreResult: true });
    await expect(r.get({ timeout: 700 })).rejects.toBeInstanceOf(CeleryTimeoutError);
    expect(nestRuns.some((run) => run.id === r.id)).toBe(true);
  });

  it('a group of Nest tasks: members carry the group id, results in order', async () => {
    const sig = (x: number) => client.signature('bodyform.add', [x, x], {}, { queue: NEST_QUEUE });
    const group = await client.group<number>([sig(1), sig(2), sig(3)]);
    await expect(group.get({ timeout: 10_000 })).resolves.toEqual([2, 4, 6]);
    const members = nestRuns.filter((run) => run.group === group.id);
    expect(members).toHaveLength(3);
  });
});

describe("wireHeaders 'body' for events (EventPublisher)", () => {
  it('a typed event reaches its @OnEvent handler as its class, with its message id', async () => {
    const publisher = new EventPublisher(client.unwrap(), 'body-form-e2e', 'body');
    const line = Object.assign(new OrderSubmittedLine(), { itemId: 'sku-1', quantity: 2, unitPrice: 9.5 });
    const event = Object.assign(new OrderSubmitted(), { orderId: `body-${Date.now()}`, customer: 'ada', lines: [line], submittedAt: new Date('2026-01-02T03:04:05.678Z') });
    const id = await publisher.publish(event, { persistent: false });
    const end = Date.now() + 10_000;
    while (!events.some((e) => e.messageId === id) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    const got = events.find((e) => e.messageId === id);
    expect(got?.event).toBeInstanceOf(OrderSubmitted);
    expect(got?.event.lines[0]).toBeInstanceOf(OrderSubmittedLine);
    expect(got?.event).toEqual(event);
    expect(got?.routingKey).toBe('order.v1.submit');
  });
});
