/**
 * Remote control, Celery events and domain events on a Redis broker, against real Python Celery:
 * `celery inspect ping/registered/active_queues/stats` and `celery control revoke` reach a Nest
 * worker (kombu's pidbox: fanout PUBLISH, replies through a direct exchange), `celery events
 * --dump` shows its task events (celeryev is a fanout exchange on Redis, as Celery declares it),
 * and @OnEvent events travel both ways through the topic exchange `order`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { OrderSubmitted, OrderSubmittedLine } from '@app/contracts';
import { CeleryClient, CeleryTask, CeleryTaskRevokedError, EventContext, EventPublisher, OnEvent, ServerCelery, TaskArg } from 'nestjs-celery';
import { CELERY_PYTHON } from './support/broker-url.js';
import { celeryPythonPath, celeryRelease } from './support/celery-version.js';
import { startProcess, type ManagedProcess } from './support/child-process.js';
import { PYTHON_DIR } from './support/python.js';
import { flushRedisDb, redisBrokerUrl, redisCheck, runCeleryCliOn, runPythonOn, startPythonWorkerOn, until } from './support/redis-broker.js';

const URL = redisBrokerUrl(7);
const SERVICE = 'redis-ctl';
const seen: Array<{ event: OrderSubmitted; routingKey: string }> = [];

@Controller()
class RedisControlTasks {
  @CeleryTask('rctl.add', { params: ['x', 'y'] })
  add(@TaskArg(0) x: number, @TaskArg(1) y: number): number {
    return x + y;
  }

  @OnEvent(OrderSubmitted)
  onSubmit(@Payload() event: OrderSubmitted, @Ctx() ctx: EventContext): void {
    seen.push({ event, routingKey: ctx.routingKey });
  }
}

@Module({ controllers: [RedisControlTasks] })
class RedisControlModule {}

describe(`remote control and events on Redis with Python Celery ${celeryRelease()}`, () => {
  let nest: INestMicroservice;
  let server: ServerCelery;
  let client: CeleryClient;
  const cli = (...args: string[]) => runCeleryCliOn(URL, 'control_app', args);

  beforeAll(async () => {
    await flushRedisDb(URL);
    const moduleRef = await Test.createTestingModule({ imports: [RedisControlModule] }).compile();
    server = new ServerCelery({ brokerUrl: URL, service: SERVICE, queues: ['rctl'], defaultQueue: 'rctl', taskEvents: true });
    nest = moduleRef.createNestMicroservice({ strategy: server, logger: false });
    await nest.listen();
    client = new CeleryClient({ brokerUrl: URL, defaultQueue: 'rctl' });
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await nest?.close();
  });

  it('celery inspect ping / registered / active_queues / stats reach the Nest worker', async () => {
    const node = server.hostname;
    const ping = await cli('inspect', 'ping', '-t', '2');
    expect(ping.stdout).toContain(`->  ${node}: OK`);
    const registered = await cli('inspect', 'registered', '-t', '2');
    expect(registered.stdout).toContain('* rctl.add');
    const queues = await cli('inspect', 'active_queues', '-d', node, '-t', '2');
    expect(queues.stdout).toContain("'name': 'rctl'");
    const stats = await cli('inspect', 'stats', '-j', '-t', '2');
    expect(Object.keys((JSON.parse(stats.stdout) as Record<string, Record<string, unknown>>)[node]!)).toEqual(expect.arrayContaining(['broker', 'pid', 'pool', 'total']));
  }, 60_000);

  it('celery control revoke flags the id; the task sent with it is REVOKED, never run', async () => {
    const id = randomUUID();
    const revoke = await cli('control', 'revoke', id, '-d', server.hostname, '-t', '2');
    expect(revoke.stdout).toContain(`tasks ${id} flagged as revoked`);
    const result = await client.sendTask('rctl.add', [1, 1], {}, { taskId: id });
    await expect(result.get({ timeout: 10_000 })).rejects.toBeInstanceOf(CeleryTaskRevokedError);
  }, 30_000);

  it('celery events --dump shows the Nest worker\'s heartbeats and task events', async () => {
    const dump: ManagedProcess = startProcess('celery events --dump', CELERY_PYTHON, ['-m', 'celery', '-A', 'control_app', 'events', '--dump'], {
      CELERY_BROKER_URL: URL,
      PYTHONPATH: celeryPythonPath(PYTHON_DIR),
    });
    try {
      await dump.waitFor(`${server.hostname} [`, 15_000);
      const result = await client.sendTask<number>('rctl.add', [2, 3]);
      await expect(result.get({ timeout: 10_000 })).resolves.toBe(5);
      await dump.waitFor(new RegExp(`task succeeded: rctl\\.add\\(${result.id}\\)`), 10_000);
      expect(dump.log).toContain(`task received: rctl.add(${result.id})`);
      expect(dump.log).toMatch(/heartbeat/);
    } finally {
      await dump.stop();
    }
  }, 40_000);

  it('@OnEvent: Python send_task to the topic exchange order reaches the Nest handler as a validated instance', async () => {
    const payload = { orderId: 'redis-py-1', customer: 'ada', lines: [{ itemId: 'sku-1', quantity: 2, unitPrice: 3.5 }], submittedAt: '2026-05-06T07:08:09.123456+00:00' };
    await runPythonOn(URL, 'events_send.py', { events: [{ routing_key: 'order.v1.submit', payload }] });
    await until(() => expect(seen.find((s) => s.event.orderId === 'redis-py-1')).toBeDefined());
    const arrived = seen.find((s) => s.event.orderId === 'redis-py-1')!;
    expect(arrived.routingKey).toBe('order.v1.submit');
    expect(arrived.event).toBeInstanceOf(OrderSubmitted);
    expect(arrived.event.lines[0]).toBeInstanceOf(OrderSubmittedLine);
  }, 30_000);

  it('@OnEvent: an invalid payload from Python is dead-lettered to the service dead-letter list, not dropped', async () => {
    const check = redisCheck(URL);
    try {
      await runPythonOn(URL, 'events_send.py', { events: [{ routing_key: 'order.v1.submit', payload: { orderId: 'redis-bad', lines: 'none' } }] });
      await until(async () => expect(await check.llen(`${SERVICE}.dead-letter`)).toBe(1));
      expect(seen.find((s) => s.event.orderId === 'redis-bad')).toBeUndefined();
    } finally {
      check.disconnect();
    }
  }, 30_000);

  it('EventPublisher: a Python worker on a queue bound to exchange order with order.*.submit gets the Nest event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-events-'));
    const out = join(dir, 'received.jsonl');
    process.env.EVENTS_PY_QUEUE = 'redis-ctl.python-order-events';
    process.env.EVENTS_PY_OUT = out;
    const python = await startPythonWorkerOn(URL, 'events_app', ['redis-ctl.python-order-events'], 'py-events');
    const publisher = new EventPublisher(client.unwrap());
    try {
      const line = Object.assign(new OrderSubmittedLine(), { itemId: 'sku-9', quantity: 3, unitPrice: 4.25 });
      const event = Object.assign(new OrderSubmitted(), { orderId: 'redis-nest-1', customer: 'grace', lines: [line], submittedAt: new Date('2026-03-04T05:06:07.089Z') });
      const id = await publisher.publish(event);
      await until(() => expect(existsSync(out) && readFileSync(out, 'utf8')).toContain('redis-nest-1'), { timeoutMs: 20_000 });
      const got = JSON.parse(readFileSync(out, 'utf8').trim().split('\n')[0]!) as { task: string; id: string; payload: Record<string, unknown> };
      expect(got).toMatchObject({ task: 'order.v1.submit', id, payload: { orderId: 'redis-nest-1', customer: 'grace' } });
    } finally {
      await python.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
