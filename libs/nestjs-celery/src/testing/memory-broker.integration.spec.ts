/**
 * The existing worker and client features end to end on the in-memory broker (no RabbitMQ):
 * results, typed remote errors, NotRegistered, chain, group, retries with countdown, eta,
 * expires, dead-lettering of malformed messages, redelivery after a lost worker connection.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import {
  CeleryClient,
  CeleryContext,
  CeleryNotRegisteredError,
  CeleryRemoteError,
  CeleryTask,
  CeleryTaskRevokedError,
  TaskArg,
  TaskArgs,
  TaskKwargs,
  celeryQueueTopology,
} from 'nestjs-celery';
import {
  awaitIdle,
  awaitPublished,
  callTask,
  createMemoryBroker,
  createTestClient,
  decodePublishedTask,
  MemoryBroker,
  startTestWorker,
  type TestWorker,
} from 'nestjs-celery/testing';

const QUEUE = 'memtest';
const DLX = 'memtest.dlx';
const DLQ = `${DLX}.queue`;

class ValueError extends Error {
  override readonly name = 'ValueError';
}

const runs = new Map<string, number>();

@Controller()
class MemoryTasks {
  @CeleryTask('mem.add', { params: ['x', 'y'] })
  add(@TaskArg(0) x: number, @TaskArg(1) y: number): number {
    return x + y;
  }

  @CeleryTask('mem.mul', { params: ['x', 'y'] })
  mul(@TaskArg(0) x: number, @TaskArg(1) y: number): number {
    return x * y;
  }

  @CeleryTask('mem.echo', { params: ['*args', '**kwargs'] })
  echo(@TaskArgs() args: unknown[], @TaskKwargs() kwargs: Record<string, unknown>) {
    return { args, kwargs };
  }

  @CeleryTask('mem.fail', { params: ['message'] })
  fail(@TaskArg(0) message: string): never {
    throw new ValueError(message);
  }

  @CeleryTask('mem.retry_until', { params: ['failures'] })
  retryUntil(@TaskArg(0) failures: number, @Ctx() ctx: CeleryContext): { retries: number; at: number } {
    if (ctx.retries < failures) throw ctx.retry({ countdown: 0.2, maxRetries: failures });
    return { retries: ctx.retries, at: Date.now() };
  }

  @CeleryTask('mem.now')
  now(): number {
    return Date.now();
  }

  @CeleryTask('mem.tally', { params: ['*args'] })
  tally(@TaskArgs() args: unknown[]): number {
    runs.set('tally', (runs.get('tally') ?? 0) + 1);
    return args.length;
  }

  @CeleryTask('mem.slow', { params: ['key', 'ms'] })
  async slow(@TaskArg(0) key: string, @TaskArg(1) ms: number): Promise<number> {
    const run = (runs.get(key) ?? 0) + 1;
    runs.set(key, run);
    await new Promise((resolve) => setTimeout(resolve, ms));
    return run;
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error as Error,
  );
}

describe('ServerCelery + CeleryClient on the in-memory broker', () => {
  let broker: MemoryBroker;
  let worker: TestWorker;
  let client: CeleryClient;

  beforeAll(async () => {
    broker = createMemoryBroker();
    worker = await startTestWorker(
      { controllers: [MemoryTasks] },
      { broker, serverOptions: { queues: [QUEUE], defaultQueue: QUEUE, deadLetter: { exchange: DLX }, concurrency: 4 } },
    );
    client = await createTestClient(broker, { defaultQueue: QUEUE });
  });

  afterAll(async () => {
    await client?.close();
    await worker?.close();
    await broker?.close();
  });

  it('declares the queue like Celery and registers the tasks', () => {
    expect(worker.server.registeredTasks()).toContain('mem.add');
    expect(broker.vhost.queueNames()).toEqual(expect.arrayContaining([QUEUE, DLQ, client.replyQueue!]));
    expect(broker.vhost.exchangeNames()).toEqual(expect.arrayContaining([QUEUE, DLX]));
    expect(broker.vhost.inspectQueue(QUEUE)).toMatchObject({ consumers: 1 });
  });

  it('returns results (positional, keyword, unicode)', async () => {
    await expect(callTask(client, 'mem.add', [2, 3])).resolves.toBe(5);
    await expect(callTask(client, 'mem.mul', [], { x: 6, y: 7 })).resolves.toBe(42);
    await expect(callTask(client, 'mem.echo', ['é', '日本語'], { k: [1, { n: null }] })).resolves.toEqual({
      args: ['é', '日本語'],
      kwargs: { k: [1, { n: null }] },
    });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => callTask<number>(client, 'mem.add', [i, i])));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i));
  });

  it('handler errors come back as typed remote errors', async () => {
    const error = (await rejection(callTask(client, 'mem.fail', ['bad value']))) as CeleryRemoteError;
    expect(error).toBeInstanceOf(CeleryRemoteError);
    expect(error.excType).toBe('ValueError');
    expect(error.excMessage).toBe('bad value');
    expect(error.traceback).toContain('ValueError');
  });

  it('an unknown task gives CeleryNotRegisteredError and is dead-lettered with its reason', async () => {
    const error = await rejection(callTask(client, 'mem.nope', [1]));
    expect(error).toBeInstanceOf(CeleryNotRegisteredError);
    expect((error as CeleryRemoteError).excMessage).toContain('mem.nope');
    const dead = broker.vhost.get(DLQ)!;
    expect(dead.properties.headers).toMatchObject({ task: 'mem.nope', 'x-celery-rejected-reason': 'not-registered', 'x-original-queue': QUEUE });
  });

  it('runs a chain: each step gets the previous result; the worker publishes the next step', async () => {
    const nextStep = awaitPublished(broker, { exchange: '', routingKey: QUEUE, task: 'mem.mul' });
    const result = await client.chain(client.signature('mem.add', [2, 2]), client.signature('mem.mul', [4]), client.signature('mem.add', [1]));
    await expect(result.get({ timeout: 5000 })).resolves.toBe(17);
    const step = decodePublishedTask(await nextStep);
    expect(step.args).toEqual([4, 4]);
    expect(step.parentId).not.toBeNull();
  });

  it('runs a group', async () => {
    const group = await client.group([client.signature('mem.add', [1, 1]), client.signature('mem.mul', [3, 3]), client.signature('mem.add', [10, 5])]);
    await expect(group.get({ timeout: 5000 })).resolves.toEqual([2, 9, 15]);
  });

  it('retries with a countdown: republished and run again later, the retries counted', async () => {
    const started = Date.now();
    const outcome = await callTask<{ retries: number; at: number }>(client, 'mem.retry_until', [2]);
    expect(outcome.retries).toBe(2);
    expect(outcome.at - started).toBeGreaterThanOrEqual(380);
  });

  it('a countdown task runs late: the worker holds it unacknowledged until its ETA', async () => {
    const started = Date.now();
    const sent = await client.sendTask<number>('mem.now', [], {}, { countdown: 0.8 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(broker.vhost.inspectQueue(QUEUE)).toMatchObject({ ready: 0, unacked: 1 });
    const ranAt = await sent.get({ timeout: 5000 });
    expect(ranAt - started).toBeGreaterThanOrEqual(790);
    expect(broker.vhost.inspectQueue(QUEUE)).toMatchObject({ ready: 0, unacked: 0 });
  });

  it('an eta task runs at its time, other tasks meanwhile', async () => {
    const eta = new Date(Date.now() + 600);
    const later = await client.sendTask<number>('mem.now', [], {}, { eta });
    await expect(callTask(client, 'mem.add', [1, 2])).resolves.toBe(3);
    expect(later.ready()).toBe(false);
    expect(await later.get({ timeout: 5000 })).toBeGreaterThanOrEqual(eta.getTime() - 5);
  });

  it('a task expiring before its eta is revoked, not run', async () => {
    const error = await rejection(callTask(client, 'mem.now', [], {}, { countdown: 0.4, expires: 0.1 }));
    expect(error).toBeInstanceOf(CeleryTaskRevokedError);
    expect((error as CeleryRemoteError).excMessage).toBe('expired');
  });

  it('a malformed message is dead-lettered with its reason; the worker keeps working', async () => {
    await broker.publish('', QUEUE, Buffer.from('{"not": json'), {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      messageId: 'poison-1',
      headers: { task: 'mem.add', id: 'poison-1' },
    });
    const deadline = Date.now() + 3000;
    let dead = broker.vhost.get(DLQ);
    while (!dead && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      dead = broker.vhost.get(DLQ);
    }
    expect(dead?.properties.messageId).toBe('poison-1');
    expect(dead?.properties.headers).toMatchObject({ 'x-celery-rejected-reason': 'not-json', 'x-original-queue': QUEUE });
    expect(dead?.content.toString()).toBe('{"not": json');
    await expect(callTask(client, 'mem.add', [20, 22])).resolves.toBe(42);
    expect(broker.vhost.inspectQueue(QUEUE)).toMatchObject({ ready: 0, unacked: 0 });
  });

  it('awaitIdle waits until every message was handled, including held ETA tasks and follow-ups', async () => {
    await client.sendTask('mem.slow', ['idle', 30], {}, { countdown: 0.2, replyTo: null });
    await client.sendTask('mem.slow', ['idle', 10], {}, { link: client.signature('mem.tally', []), replyTo: null });
    await awaitIdle(broker, { queues: [QUEUE] });
    expect(runs.get('idle')).toBe(2);
    expect(runs.get('tally')).toBe(1);
    await client.sendTask('mem.slow', ['idle', 300], {}, { replyTo: null });
    await expect(awaitIdle(broker, { queues: [QUEUE], timeoutMs: 50 })).rejects.toThrow(/memtest \(0 ready, 1 unacked\)/);
    await awaitIdle(broker, { queues: [QUEUE] });
  });

  it('publishes to a topic exchange can be awaited by pattern (as events will be)', async () => {
    await broker.declare({ exchanges: [{ name: 'order', type: 'topic' }] });
    const submitted = awaitPublished(broker, { exchange: 'order', routingKey: 'order.*.submit' });
    await client.sendTask('order.v1.submit', [{ orderId: 'o-1' }], {}, { exchange: 'order', routingKey: 'order.v1.submit', replyTo: null });
    const event = decodePublishedTask(await submitted);
    expect(event.task).toBe('order.v1.submit');
    expect(event.args).toEqual([{ orderId: 'o-1' }]);
    await expect(awaitPublished(broker, { exchange: 'order', routingKey: 'order.#' }, { timeoutMs: 50 })).rejects.toThrow(/no message matching/);
    await expect(awaitPublished(broker, { task: 'order.v1.submit' }, { past: true, timeoutMs: 50 })).resolves.toMatchObject({ exchange: 'order' });
  });
});

describe('queue-level dead-lettering and lost worker connections on the in-memory broker', () => {
  it("a worker without deadLetter rejects a malformed message to the queue's own x-dead-letter-exchange", async () => {
    const broker = createMemoryBroker();
    await broker.declare({
      exchanges: [{ name: 'plain.dlx', type: 'fanout' }],
      queues: [{ name: 'plain.dead' }],
      bindings: [{ queue: 'plain.dead', exchange: 'plain.dlx', routingKey: '' }],
    });
    const worker = await startTestWorker(
      { controllers: [MemoryTasks] },
      { broker, serverOptions: { queues: [{ name: 'plain', arguments: { 'x-dead-letter-exchange': 'plain.dlx' } }] } },
    );
    try {
      await broker.publish('', 'plain', Buffer.from('garbage'), { contentType: 'application/json' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const dead = broker.vhost.get('plain.dead')!;
      expect(dead.content.toString()).toBe('garbage');
      expect(dead.properties.headers).toMatchObject({ 'x-first-death-reason': 'rejected', 'x-first-death-queue': 'plain' });
    } finally {
      await worker.close();
      await broker.close();
    }
  });

  it('a worker whose connection is lost mid-task loses nothing: the task is redelivered to the other worker (acks late)', async () => {
    const vhost = createMemoryBroker().vhost;
    const lostBroker = createMemoryBroker({ vhost, connectionName: 'worker-a', logger: { log: () => undefined, error: () => undefined, warn: () => undefined } });
    const options = { queues: ['shared'], defaultQueue: 'shared', concurrency: 1, prefetchCount: 1 };
    const a = await startTestWorker({ controllers: [MemoryTasks] }, { broker: lostBroker, serverOptions: options });
    const clientBroker = createMemoryBroker({ vhost });
    const client = await createTestClient(clientBroker, { defaultQueue: 'shared' });
    let b: TestWorker | undefined;
    try {
      const sent = await client.sendTask<number>('mem.slow', ['lost', 150]);
      while (runs.get('lost') === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
      b = await startTestWorker({ controllers: [MemoryTasks] }, { broker: createMemoryBroker({ vhost }), serverOptions: options });
      await lostBroker.close(); // worker A's connection drops while it runs the task
      await expect(sent.get({ timeout: 5000 })).resolves.toBe(2);
      expect(vhost.inspectQueue('shared')).toMatchObject({ ready: 0, unacked: 0 });
    } finally {
      await client.close();
      await a.close();
      await b?.close();
      await b?.broker.close();
      await clientBroker.close();
    }
  });

  it('the declared topology is checked like RabbitMQ: a worker queue re-declared with other arguments fails to start', async () => {
    const broker = createMemoryBroker();
    await broker.declare(celeryQueueTopology('prio', { arguments: { 'x-max-priority': 10 } }));
    const other = createMemoryBroker({ vhost: broker.vhost });
    await expect(startTestWorker({ controllers: [MemoryTasks] }, { broker: other, serverOptions: { queues: ['prio'] } })).rejects.toThrow(
      /inequivalent arg 'x-max-priority'/,
    );
    await other.close();
    await broker.close();
  });
});
