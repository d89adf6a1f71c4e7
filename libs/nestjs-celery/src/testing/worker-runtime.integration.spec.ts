/**
 * Worker runtime behaviours on the in-memory broker that the other unit specs leave unguarded
 * (issue 12, "Tests that would have caught these"): early acks, revoke with terminate, time
 * limits from the message's `timelimit` header, ETA parking, the async lane on `asyncBrokerUrl`,
 * the revoke check on arrival, the prefetch raise for held ETA tasks, and the exclusivity of
 * broadcast event queues. Each test fails when the one line of `ServerCelery` behind it breaks.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { CeleryClient, CeleryContext, CeleryRemoteError, CeleryTask, CeleryTaskRevokedError, OnEvent, TaskArg } from 'nestjs-celery';
import { etaParkingQueueName } from '../server/eta-parking.js';
import {
  awaitPublished,
  callTask,
  createMemoryBroker,
  createTestClient,
  MemoryBroker,
  MemoryVhost,
  startTestWorker,
  type TestWorker,
} from 'nestjs-celery/testing';

const QUEUE = 'runtime';
const SERVICE = 'rtsvc';

/** Runs of each task key. */
const runs = new Map<string, number>();
/** Abort reasons seen by `rt.block`, by key. */
const aborts = new Map<string, unknown>();
/** Releases a blocked `rt.block` run, by key. */
const releases = new Map<string, () => void>();
/** Times (ms) at which `rt.stamp` ran, by key. */
const stamps = new Map<string, number[]>();
/** Payloads of the broadcast event handler. */
const broadcastEvents: unknown[] = [];

function ran(key: string): number {
  return runs.get(key) ?? 0;
}

@Controller()
class RuntimeTasks {
  /** Runs until released, aborted, or `maxMs` passed; says which. Ignores the abort when `ignoreAbort`. */
  @CeleryTask('rt.block', { params: ['key', 'maxMs', 'ignoreAbort'] })
  async block(@TaskArg(0) key: string, @TaskArg(1) maxMs: number, @TaskArg(2) ignoreAbort: boolean, @Ctx() ctx: CeleryContext): Promise<string> {
    runs.set(key, ran(key) + 1);
    return new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('timed-out'), maxMs);
      releases.set(key, () => {
        clearTimeout(timer);
        resolve('released');
      });
      ctx.signal.addEventListener('abort', () => {
        aborts.set(key, ctx.signal.reason);
        if (ignoreAbort) return;
        clearTimeout(timer);
        resolve('aborted');
      });
    });
  }

  /** Sleeps `ms`; an abort interrupts it with the signal's reason (as `time.sleep` in a Celery task gets `SoftTimeLimitExceeded`). */
  @CeleryTask('rt.sleep', { params: ['ms'] })
  async sleep(@TaskArg(0) ms: number, @Ctx() ctx: CeleryContext): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(ctx.signal.reason as Error);
      });
    });
    return ms;
  }

  @CeleryTask('rt.stamp', { params: ['key'] })
  stamp(@TaskArg(0) key: string): number {
    const at = Date.now();
    runs.set(key, ran(key) + 1);
    stamps.set(key, [...(stamps.get(key) ?? []), at]);
    return at;
  }

  @CeleryTask(`${SERVICE}.sync.ping`)
  ping(): string {
    return 'pong';
  }

  @CeleryTask(`${SERVICE}.async.note`, { params: ['key'] })
  note(@TaskArg(0) key: string): void {
    runs.set(key, ran(key) + 1);
  }
}

@Controller()
class BroadcastEvents {
  @OnEvent('cache.*.flush', { exchange: 'rtcache', broadcast: true })
  onFlush(@Payload() payload: unknown): void {
    broadcastEvents.push(payload);
  }
}

/** Polls `predicate` every 5 ms until it holds; fails after `timeoutMs` saying what it waited for. */
async function until(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error as Error,
  );
}

const quiet = { log: () => undefined, error: () => undefined, warn: () => undefined };

describe('worker runtime behaviours on the in-memory broker', () => {
  /** Closed after each test, last opened first. */
  let cleanup: Array<() => Promise<unknown>> = [];

  afterEach(async () => {
    for (const release of releases.values()) release();
    releases.clear();
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    cleanup = [];
  });

  async function setUp(
    serverOptions: Parameters<typeof startTestWorker>[1] extends infer O ? (O extends { serverOptions?: infer S } ? S : never) : never,
    controllers: Array<new () => unknown> = [RuntimeTasks],
  ): Promise<{ broker: MemoryBroker; worker: TestWorker; client: CeleryClient }> {
    const broker = createMemoryBroker();
    cleanup.push(() => broker.close());
    const worker = await startTestWorker({ controllers }, { broker, serverOptions });
    cleanup.push(() => worker.close());
    const client = await createTestClient(broker, { defaultQueue: QUEUE });
    cleanup.push(() => client.close());
    return { broker, worker, client };
  }

  it('acksLate: false acks before running: nothing unacked while the task runs, nothing redelivered when the worker is lost', async () => {
    const vhost = new MemoryVhost();
    const workerBroker = createMemoryBroker({ vhost, logger: quiet });
    cleanup.push(() => workerBroker.close());
    const options = { queues: [QUEUE], defaultQueue: QUEUE, acksLate: false, concurrency: 1 };
    const worker = await startTestWorker({ controllers: [RuntimeTasks] }, { broker: workerBroker, serverOptions: options });
    cleanup.push(() => worker.close());
    const clientBroker = createMemoryBroker({ vhost });
    cleanup.push(() => clientBroker.close());
    const client = await createTestClient(clientBroker, { defaultQueue: QUEUE });
    cleanup.push(() => client.close());

    await client.sendTask('rt.block', ['early', 400, false], {}, { replyTo: null });
    await until('rt.block to start', () => ran('early') === 1);
    expect(vhost.inspectQueue(QUEUE)).toMatchObject({ ready: 0, unacked: 0 });
    // The worker's connection drops mid-task: an early-acked task is gone, as with Celery's default.
    await workerBroker.close();
    const second = await startTestWorker({ controllers: [RuntimeTasks] }, { broker: createMemoryBroker({ vhost }), serverOptions: options });
    cleanup.push(() => second.broker.close());
    cleanup.push(() => second.close());
    await expect(callTask(client, 'rt.stamp', ['after-loss'])).resolves.toEqual(expect.any(Number));
    expect(ran('early')).toBe(1);
    expect(vhost.inspectQueue(QUEUE)).toMatchObject({ ready: 0, unacked: 0 });
  });

  it('revoke with terminate aborts ctx.signal of the running task; the caller gets REVOKED terminated; the message is acked', async () => {
    const { broker, worker, client } = await setUp({ queues: [QUEUE], defaultQueue: QUEUE });
    const result = await client.sendTask<string>('rt.block', ['terminate', 5000, false]);
    await until('rt.block to start', () => ran('terminate') === 1);
    const reply = await client.control.revoke(result.id, { terminate: true, reply: true, destination: [worker.server.hostname] });
    expect(Object.values(reply)).toEqual([{ ok: `terminate: ${result.id}` }]);
    const error = (await rejection(result.get({ timeout: 2000 }))) as CeleryRemoteError;
    expect(error).toBeInstanceOf(CeleryTaskRevokedError);
    expect(error.excMessage).toBe('terminated');
    expect(aborts.get('terminate')).toMatchObject({ name: 'TaskRevokedError', message: 'terminated' });
    await until('the terminated task to be acked', () => broker.vhost.inspectQueue(QUEUE)?.unacked === 0);
    expect(broker.vhost.inspectQueue(QUEUE)).toMatchObject({ ready: 0, unacked: 0 });
  });

  it("the message's soft time limit aborts ctx.signal with SoftTimeLimitExceeded; the handler's own result is reported", async () => {
    const { client } = await setUp({ queues: [QUEUE], defaultQueue: QUEUE });
    const started = Date.now();
    const result = await client.sendTask<string>('rt.block', ['soft', 3000, false], {}, { softTimeLimit: 0.15, timeLimit: 5 });
    await expect(result.get({ timeout: 2500 })).resolves.toBe('aborted');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(aborts.get('soft')).toMatchObject({ name: 'SoftTimeLimitExceeded' });
  });

  it("a handler that lets the soft limit's reason through fails with billiard's SoftTimeLimitExceeded, as an uncaught one does in Celery", async () => {
    const { client } = await setUp({ queues: [QUEUE], defaultQueue: QUEUE });
    const result = await client.sendTask<number>('rt.sleep', [3000], {}, { softTimeLimit: 0.1 });
    const error = (await rejection(result.get({ timeout: 2500 }))) as CeleryRemoteError;
    expect(error).toBeInstanceOf(CeleryRemoteError);
    expect({ type: error.excType, module: error.excModule, args: error.excArgs }).toEqual({
      type: 'SoftTimeLimitExceeded',
      module: 'billiard.exceptions',
      args: [],
    });
  });

  it("the message's hard time limit fails the task with TimeLimitExceeded, though the handler goes on", async () => {
    const { client } = await setUp({ queues: [QUEUE], defaultQueue: QUEUE });
    const started = Date.now();
    const result = await client.sendTask<string>('rt.block', ['hard', 3000, true], {}, { timeLimit: 0.2 });
    const error = (await rejection(result.get({ timeout: 2500 }))) as CeleryRemoteError;
    expect(error).toBeInstanceOf(CeleryRemoteError);
    expect(error.excType).toBe('TimeLimitExceeded');
    expect(error.excArgs).toEqual([0.2]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(aborts.get('hard')).toMatchObject({ name: 'TimeLimitExceeded' });
  });

  it('an ETA further off than etaHoldLimitMs is parked (acked, copied to the parking queue) and still runs at its ETA', async () => {
    const { broker, client } = await setUp({ queues: [QUEUE], defaultQueue: QUEUE, etaHoldLimitMs: 1000 });
    const parking = etaParkingQueueName(QUEUE);
    const eta = Date.now() + 2300;
    const result = await client.sendTask<number>('rt.stamp', ['parked'], {}, { eta: new Date(eta) });
    await until('the task to be parked', () => broker.vhost.inspectQueue(parking)?.ready === 1);
    expect(broker.vhost.inspectQueue(QUEUE)).toMatchObject({ ready: 0, unacked: 0 });
    expect(broker.vhost.inspectQueue(parking)).toMatchObject({ ready: 1, unacked: 0, consumers: 0 });
    const ranAt = await result.get({ timeout: 5000 });
    expect(ranAt).toBeGreaterThanOrEqual(eta - 5);
    expect(ran('parked')).toBe(1);
    expect(broker.vhost.inspectQueue(parking)).toMatchObject({ ready: 0, unacked: 0 });
  });

  it('asyncBrokerUrl: the async convention queue is declared and consumed on the second broker, and async follow-ups are sent there', async () => {
    const asyncVhostName = `rt-async-${randomUUID()}`;
    cleanup.push(async () => MemoryVhost.resetShared(asyncVhostName));
    const { broker, worker } = await setUp({ service: SERVICE, asyncBrokerUrl: `memory://${asyncVhostName}` });
    const asyncVhost = MemoryVhost.shared(asyncVhostName);
    expect(broker.vhost.inspectQueue(`${SERVICE}.sync`)).toMatchObject({ consumers: 1 });
    expect(broker.vhost.inspectQueue(`${SERVICE}.async`)).toBeUndefined();
    expect(asyncVhost.inspectQueue(`${SERVICE}.async`)).toMatchObject({ consumers: 1 });
    expect(asyncVhost.inspectQueue(`${SERVICE}.sync`)).toBeUndefined();

    const asyncBroker = createMemoryBroker({ vhost: asyncVhost });
    cleanup.push(() => asyncBroker.close());
    const caller = await createTestClient(broker, { services: [SERVICE], asyncBrokerUrl: `memory://${asyncVhostName}` });
    cleanup.push(() => caller.close());
    await caller.sendTask(`${SERVICE}.async.note`, ['direct-async']);
    await until('the async task to run', () => ran('direct-async') === 1);

    // The worker's own follow-up to the async lane goes through its async broker.
    const callback = awaitPublished(asyncBroker, { exchange: SERVICE, task: `${SERVICE}.async.note` });
    const ping = await caller.sendTask<string>(`${SERVICE}.sync.ping`, [], {}, { link: { ...caller.signature(`${SERVICE}.async.note`, ['via-callback']), immutable: true } });
    await expect(ping.get({ timeout: 3000 })).resolves.toBe('pong');
    await callback;
    await until('the async callback to run', () => ran('via-callback') === 1);
    expect(worker.server.registeredTasks()).toContain(`${SERVICE}.async.note`);
  });

  it('a task revoked before it arrives is discarded on arrival: REVOKED at once, not held until its ETA, never run', async () => {
    const { broker, worker, client } = await setUp({ queues: [QUEUE], defaultQueue: QUEUE });
    const id = randomUUID();
    await client.control.revoke(id, { reply: true, destination: [worker.server.hostname] });
    const started = Date.now();
    const result = await client.sendTask<number>('rt.stamp', ['revoked-early'], {}, { taskId: id, countdown: 3 });
    const error = (await rejection(result.get({ timeout: 1500 }))) as CeleryRemoteError;
    expect(error).toBeInstanceOf(CeleryTaskRevokedError);
    expect(error.excMessage).toBe('revoked');
    expect(Date.now() - started).toBeLessThan(1500);
    await until('the revoked task to be acked', () => broker.vhost.inspectQueue(QUEUE)?.unacked === 0);
    expect(ran('revoked-early')).toBe(0);
  });

  it('held ETA tasks raise the running consumer’s prefetch: plain tasks behind them run at once', async () => {
    const { broker, client } = await setUp({ queues: [QUEUE], defaultQueue: QUEUE, concurrency: 1, prefetchCount: 2 });
    const eta = new Date(Date.now() + 2000);
    const held = await Promise.all(Array.from({ length: 6 }, () => client.sendTask<number>('rt.stamp', ['held'], {}, { eta })));
    await until('the ETA tasks to be held', () => broker.vhost.inspectQueue(QUEUE)?.unacked === 6);
    const started = Date.now();
    const plain = await Promise.all(Array.from({ length: 4 }, () => callTask<number>(client, 'rt.stamp', ['plain'], {}, { timeoutMs: 1500 })));
    expect(plain.every((at) => at < eta.getTime())).toBe(true);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(ran('held')).toBe(0);
    await Promise.all(held.map((r) => r.get({ timeout: 5000 })));
    expect(ran('held')).toBe(6);
  });

  it('a broadcast event queue is exclusive to its worker: no other connection or consumer can use it; it goes with the worker', async () => {
    const { broker, worker } = await setUp({ service: SERVICE, serviceQueues: false }, [BroadcastEvents]);
    const [queue] = worker.server.eventQueues();
    expect(queue).toMatch(new RegExp(`^${SERVICE}\\.rtcache-events\\.`));
    expect(broker.vhost.inspectQueue(queue!)).toMatchObject({ consumers: 1 });

    const other = createMemoryBroker({ vhost: broker.vhost });
    cleanup.push(() => other.close());
    await expect(other.consume(queue!, () => undefined, { prefetch: 1 })).rejects.toThrow(/RESOURCE_LOCKED/);
    await expect(other.declare({ queues: [{ name: queue!, durable: false, autoDelete: true, exclusive: true }] })).rejects.toThrow(/RESOURCE_LOCKED/);
    // Not even a second consumer on the worker's own connection (a broker shared with a client).
    await expect(broker.consume(queue!, () => undefined, { prefetch: 1 })).rejects.toThrow(/ACCESS_REFUSED/);

    await broker.publish('rtcache', 'cache.v1.flush', Buffer.from(JSON.stringify([[{ all: true }], {}, {}])), {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      headers: { task: 'cache.v1.flush', id: randomUUID(), lang: 'py' },
    });
    await until('the broadcast event to arrive', () => broadcastEvents.length === 1);
    await worker.close();
    expect(broker.vhost.inspectQueue(queue!)).toBeUndefined();
  });
});
