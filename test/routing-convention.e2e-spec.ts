/**
 * Service routing convention (issue #5, part 1) against real RabbitMQ and real Python Celery 5.2.6:
 * topic exchange `<service>` and durable queues `<service>.sync` / `<service>.async` bound with
 * `<service>.sync.#` / `<service>.async.#`, declared identically by Nest and by kombu; sync calls
 * transient with results, async calls persistent with no result traffic; separate sync/async
 * concurrency in one worker; the async lane on a second broker (vhost).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx } from '@nestjs/microservices';
import { amqplib, CeleryClient, CeleryContext, CeleryTask, ServerCelery, TaskArg } from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import { runPython, startPythonWorker } from './support/python.js';
import { deleteExchanges, deleteQueues, queueDepth } from './support/rabbitmq-admin.js';
import { ensureVhost, vhostOf, withVhost } from './support/vhost.js';

const SERVICE = 'rtbill';
const TOPO = 'rttopo';
const SPLIT = 'rtsplit';
const PY_SERVICE = 'pyrt';
const ASYNC_VHOST = process.env.CELERY_ASYNC_VHOST ?? `${vhostOf(BROKER_URL) === '/' ? 'nestjs-celery-' : vhostOf(BROKER_URL)}b`;
const ASYNC_URL = withVhost(BROKER_URL, ASYNC_VHOST);
/** Why the second vhost is unusable (then the two-broker case fails saying so), or undefined. */
const ASYNC_VHOST_PROBLEM = ensureVhost(ASYNC_VHOST);

/** What a handler saw of its message. */
interface Seen {
  task: string;
  args: unknown[];
  exchange: string;
  routingKey: string;
  deliveryMode: number | undefined;
  replyTo: string | undefined;
  ignoreResult: boolean;
}

/** Running-handler counts per lane, with their maxima. */
class Gauge {
  now = 0;
  max = 0;
  enter(): void {
    this.now++;
    this.max = Math.max(this.max, this.now);
  }
  leave(): void {
    this.now--;
  }
}

const seen: Seen[] = [];
const gauges = { sync: new Gauge(), async: new Gauge(), both: new Gauge() };

function record(ctx: CeleryContext): void {
  const { properties, fields } = ctx.message;
  seen.push({
    task: ctx.task,
    args: ctx.request.args,
    exchange: fields.exchange,
    routingKey: fields.routingKey,
    deliveryMode: properties.deliveryMode,
    replyTo: properties.replyTo,
    ignoreResult: ctx.request.ignoreResult,
  });
}

async function busy(gauge: Gauge, ms: number): Promise<void> {
  gauge.enter();
  gauges.both.enter();
  await sleep(ms);
  gauges.both.leave();
  gauge.leave();
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

@Controller()
class BillingTasks {
  @CeleryTask(`${SERVICE}.sync.get_invoice`)
  getInvoice(@TaskArg(0) id: number, @Ctx() ctx: CeleryContext) {
    record(ctx);
    return { id, total: id * 10 };
  }

  @CeleryTask(`${SERVICE}.sync.slow`)
  async slow(@TaskArg(0) ms: number) {
    await busy(gauges.sync, ms);
    return ms;
  }

  @CeleryTask(`${SERVICE}.async.rebuild`)
  async rebuild(@TaskArg(0) ms: number, @Ctx() ctx: CeleryContext) {
    await busy(gauges.async, ms);
    record(ctx);
  }

  @CeleryTask(`${SPLIT}.sync.ping`)
  ping(@Ctx() ctx: CeleryContext) {
    record(ctx);
    return 'pong';
  }

  @CeleryTask(`${SPLIT}.async.note`)
  note(@Ctx() ctx: CeleryContext) {
    record(ctx);
  }
}

@Module({ controllers: [BillingTasks] })
class BillingModule {}

async function startWorker(options: ConstructorParameters<typeof ServerCelery>[0]): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(BillingModule, { strategy: new ServerCelery(options), logger: false });
  await app.listen();
  return app;
}

/** Resolves with the AMQP error text of `operation` on a throwaway channel (or 'ok'). */
async function attempt(url: string, operation: (channel: import('amqplib').Channel) => Promise<unknown>): Promise<string> {
  const connection = await amqplib.connect(url);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    return await operation(channel).then(
      () => 'ok',
      (error: Error) => error.message,
    );
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function cleanUp(): Promise<void> {
  for (const service of [SERVICE, TOPO, SPLIT, PY_SERVICE]) {
    await deleteQueues(BROKER_URL, `${service}.sync`, `${service}.async`);
    await deleteExchanges(BROKER_URL, service);
  }
  if (!ASYNC_VHOST_PROBLEM) {
    await deleteQueues(ASYNC_URL, `${SPLIT}.sync`, `${SPLIT}.async`);
    await deleteExchanges(ASYNC_URL, SPLIT);
  }
}

describe('service routing convention', () => {
  let worker: INestMicroservice | undefined;
  const clients: CeleryClient[] = [];
  const client = (options: ConstructorParameters<typeof CeleryClient>[0]) => {
    const created = new CeleryClient({ brokerUrl: BROKER_URL, ...options });
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    await cleanUp();
    worker = await startWorker({ brokerUrl: BROKER_URL, service: SERVICE, concurrency: { sync: 3, async: 1 } });
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    await worker?.close();
    await cleanUp();
  });

  it('declares what kombu declares for the same task_queues: durable topic exchange, durable queues, the bindings', async () => {
    const nest = await startWorker({ brokerUrl: BROKER_URL, service: TOPO });
    await nest.close();
    // kombu declares Queue(f'{s}.sync', Exchange(s, type='topic'), routing_key=f'{s}.sync.#') … on top: no 406.
    const python = await runPython<{ declared: string[] }>('routing_convention.py', { service: TOPO, declare: true });
    expect(python.declared).toEqual([`${TOPO}.sync`, `${TOPO}.async`]);
    // Durable and of that type: declaring them otherwise is refused.
    expect(await attempt(BROKER_URL, (ch) => ch.checkQueue(`${TOPO}.sync`))).toBe('ok');
    expect(await attempt(BROKER_URL, (ch) => ch.assertQueue(`${TOPO}.sync`, { durable: true }))).toBe('ok');
    expect(await attempt(BROKER_URL, (ch) => ch.assertQueue(`${TOPO}.async`, { durable: false }))).toMatch(/PRECONDITION_FAILED.*durable/);
    expect(await attempt(BROKER_URL, (ch) => ch.assertExchange(TOPO, 'topic', { durable: true }))).toBe('ok');
    expect(await attempt(BROKER_URL, (ch) => ch.assertExchange(TOPO, 'topic', { durable: false }))).toMatch(/PRECONDITION_FAILED/);
    expect(await attempt(BROKER_URL, (ch) => ch.assertExchange(TOPO, 'direct', { durable: true }))).toMatch(/PRECONDITION_FAILED.*type/);
    // Bindings: <s>.sync.# and <s>.async.# (nothing else).
    await attempt(BROKER_URL, async (ch) => {
      for (const key of [`${TOPO}.sync.a`, `${TOPO}.sync.a.b`, `${TOPO}.async.c`, `${TOPO}.other.d`, `${TOPO}.syncx.e`]) {
        ch.publish(TOPO, key, Buffer.from('{}'));
      }
      await ch.checkQueue(`${TOPO}.sync`);
    });
    expect(await queueDepth(BROKER_URL, `${TOPO}.sync`)).toBe(2);
    expect(await queueDepth(BROKER_URL, `${TOPO}.async`)).toBe(1);
  });

  it('sync call: exchange <service>, routing key = task name, transient, and the result comes back', async () => {
    const billing = client({ services: [SERVICE] });
    const result = await billing.sendTask<{ id: number; total: number }>(`${SERVICE}.sync.get_invoice`, [42]);
    await expect(result.get({ timeout: 10_000 })).resolves.toEqual({ id: 42, total: 420 });
    expect(seen.find((s) => s.args[0] === 42)).toEqual({
      task: `${SERVICE}.sync.get_invoice`,
      args: [42],
      exchange: SERVICE,
      routingKey: `${SERVICE}.sync.get_invoice`,
      deliveryMode: 1,
      replyTo: billing.replyQueue,
      ignoreResult: false,
    });
  });

  it('Python with the documented task_queues/task_routes calls the Nest convention task and gets the result', async () => {
    const python = await runPython<{ results: unknown[]; published: Array<Record<string, unknown>> }>('routing_convention.py', {
      service: SERVICE,
      calls: [{ task: `${SERVICE}.sync.get_invoice`, args: [7] }, { task: `${SERVICE}.async.rebuild`, args: [0, 'py'] }],
    });
    expect(python.results).toEqual([{ id: 7, total: 70 }, null]);
    expect(python.published).toEqual([
      { exchange: SERVICE, routing_key: `${SERVICE}.sync.get_invoice`, delivery_mode: 1 },
      { exchange: SERVICE, routing_key: `${SERVICE}.async.rebuild`, delivery_mode: 2 },
    ]);
    await until(() => seen.some((s) => s.args[1] === 'py'));
    expect(seen.find((s) => s.args[1] === 'py')).toMatchObject({ exchange: SERVICE, deliveryMode: 2, ignoreResult: true });
  });

  it('async call: persistent, ignore_result, no reply_to; the caller declares no reply queue and gets no reply', async () => {
    const fireAndForget = client({ services: [SERVICE] });
    await fireAndForget.sendTask(`${SERVICE}.async.rebuild`, [0, 'nest']);
    await until(() => seen.some((s) => s.args[1] === 'nest'));
    expect(seen.find((s) => s.args[1] === 'nest')).toEqual({
      task: `${SERVICE}.async.rebuild`,
      args: [0, 'nest'],
      exchange: SERVICE,
      routingKey: `${SERVICE}.async.rebuild`,
      deliveryMode: 2,
      replyTo: undefined,
      ignoreResult: true,
    });
    // The reply queue was never declared: no result traffic at all (a client declares it before
    // publishing a task that wants a result, so it would exist by the time the handler ran).
    expect(await attempt(BROKER_URL, (ch) => ch.checkQueue(fireAndForget.replyQueue!))).toMatch(/NOT_FOUND/);
  });

  it('runs sync and async handlers with separate limits in one worker (concurrency { sync: 3, async: 1 })', async () => {
    for (const gauge of Object.values(gauges)) gauge.max = 0;
    const caller = client({ services: [SERVICE] });
    const asyncDone = seen.length;
    const syncCalls = Array.from({ length: 9 }, () => caller.sendTask<number>(`${SERVICE}.sync.slow`, [150]));
    const asyncCalls = Array.from({ length: 3 }, (_, i) => caller.sendTask(`${SERVICE}.async.rebuild`, [150, `c${i}`]));
    await Promise.all(asyncCalls);
    await Promise.all((await Promise.all(syncCalls)).map((r) => r.get({ timeout: 15_000 })));
    await until(() => seen.slice(asyncDone).filter((s) => String(s.args[1]).startsWith('c')).length === 3);
    expect({ sync: gauges.sync.max, async: gauges.async.max }).toEqual({ sync: 3, async: 1 });
    expect(gauges.both.max).toBe(4); // both lanes busy at once: the async lane is not starved by sync work
  });

  it('a Nest client calls a Python worker configured with the convention (sync result, async fire-and-forget)', async () => {
    const python = await startPythonWorker('routing_worker', [`${PY_SERVICE}.sync`, `${PY_SERVICE}.async`]);
    try {
      const caller = client({ services: [PY_SERVICE] });
      await expect((await caller.sendTask<number>(`${PY_SERVICE}.sync.add`, [2, 3])).get({ timeout: 10_000 })).resolves.toBe(5);
      await caller.sendTask(`${PY_SERVICE}.async.log`, ['from-nest']);
      await python.waitFor('pyrt.async.log got from-nest', 10_000);
      expect(python.log).not.toMatch(/PRECONDITION_FAILED|Traceback/);
    } finally {
      await python.stop();
    }
  });

  it(`puts the async lane on a second broker (vhost '${ASYNC_VHOST}')`, async () => {
    // A vhost that cannot be made is a broken test setup, not a reason to skip the case.
    if (ASYNC_VHOST_PROBLEM) throw new Error(`routing-convention: the two-broker case cannot run: ${ASYNC_VHOST_PROBLEM}`);
    const split = await startWorker({ brokerUrl: BROKER_URL, asyncBrokerUrl: ASYNC_URL, service: SPLIT });
    try {
      const caller = client({ services: [SPLIT], asyncBrokerUrl: ASYNC_URL });
      await expect((await caller.sendTask(`${SPLIT}.sync.ping`)).get({ timeout: 10_000 })).resolves.toBe('pong');
      await caller.sendTask(`${SPLIT}.async.note`, ['two-brokers']);
      await until(() => seen.some((s) => s.args[0] === 'two-brokers'));
      expect(seen.find((s) => s.args[0] === 'two-brokers')).toMatchObject({ exchange: SPLIT, deliveryMode: 2 });
      const exists = async (url: string, queue: string) => (await attempt(url, (ch) => ch.checkQueue(queue))) === 'ok';
      expect({
        syncOnMain: await exists(BROKER_URL, `${SPLIT}.sync`),
        asyncOnMain: await exists(BROKER_URL, `${SPLIT}.async`),
        syncOnSecond: await exists(ASYNC_URL, `${SPLIT}.sync`),
        asyncOnSecond: await exists(ASYNC_URL, `${SPLIT}.async`),
      }).toEqual({ syncOnMain: true, asyncOnMain: false, syncOnSecond: false, asyncOnSecond: true });
    } finally {
      await split.close();
    }
  });
});
