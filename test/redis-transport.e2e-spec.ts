/**
 * The Redis broker as kombu's Redis transport sees it (keys, envelopes, bindings, channels), and
 * where it does better than Celery on Redis: ETA tasks longer than the visibility timeout are not
 * redelivered, a SIGKILLed worker's messages come back once, unreadable messages are
 * dead-lettered with the reason while the worker keeps running. Workers run as processes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AsyncResult, CeleryClient, celeryQueueTopology, RedisBroker, type Delivery } from 'nestjs-celery';
import { interruptedIn, readExecutions } from './support/execution-log.js';
import { pause } from './support/eventually.js';
import { startFaultWorker, type FaultWorker } from './support/fault-worker.js';
import { flushRedisDb, redisBrokerUrl, redisCheck, until } from './support/redis-broker.js';

const DB = 8;
const URL = redisBrokerUrl(DB);
/** A 2 s visibility timeout, so restores happen within the test. */
const SHORT = `${URL}?visibility_timeout=2`;
const SEP = '\x06\x16';
const DEAD = 'nestjs-celery.dead-letter';

describe('Redis broker: kombu transport layout', () => {
  const check = redisCheck(URL);
  const brokers: RedisBroker[] = [];
  const open = (options: Partial<ConstructorParameters<typeof RedisBroker>[0]> = {}) => {
    const broker = new RedisBroker({ url: URL, ...options });
    brokers.push(broker);
    return broker;
  };

  beforeAll(() => flushRedisDb(URL));
  afterAll(async () => {
    await Promise.all(brokers.map((b) => b.close()));
    check.disconnect();
  });

  it('direct: binding set entry, LPUSH of a kombu envelope, priority lists', async () => {
    const broker = open();
    await broker.declare(celeryQueueTopology('t.direct'));
    expect(await check.smembers('_kombu.binding.t.direct')).toEqual([`t.direct${SEP}${SEP}t.direct`]);
    await broker.publish('t.direct', 't.direct', Buffer.from('{"a":1}'), { contentType: 'application/json', contentEncoding: 'utf-8', headers: { task: 'x' }, correlationId: 'c1' });
    await broker.publish('t.direct', 't.direct', Buffer.from('{}'), { priority: 7 });
    const [raw] = await check.lrange('t.direct', 0, -1);
    const envelope = JSON.parse(raw!);
    expect(envelope).toMatchObject({
      body: Buffer.from('{"a":1}').toString('base64'),
      'content-type': 'application/json',
      'content-encoding': 'utf-8',
      headers: { task: 'x' },
      properties: { correlation_id: 'c1', body_encoding: 'base64', delivery_info: { exchange: 't.direct', routing_key: 't.direct' } },
    });
    expect(envelope.properties.delivery_tag).toMatch(/^[0-9a-f-]{36}$/);
    expect(await check.llen(`t.direct${SEP}6`)).toBe(1);
  });

  it("topic: kombu's stored pattern and matching (* may span words, # needs its dot)", async () => {
    const broker = open();
    await broker.declare({
      exchanges: [{ name: 'order', type: 'topic' }],
      queues: [{ name: 't.billing' }, { name: 't.audit' }],
      bindings: [
        { queue: 't.billing', exchange: 'order', routingKey: 'order.*.submit' },
        { queue: 't.audit', exchange: 'order', routingKey: 'order.#' },
      ],
    });
    expect(await check.smembers('_kombu.binding.order')).toContain(`order.*.submit${SEP}^order\\..*?[^\\.]\\.submit$${SEP}t.billing`);
    for (const key of ['order.v1.submit', 'order.a.b.submit', 'order', 'billing.v1.submit']) await broker.publish('order', key, Buffer.from(key), {});
    expect(await check.llen('t.billing')).toBe(2);
    expect(await check.llen('t.audit')).toBe(2);
  });

  it('fanout: PUBLISH on /{db}.<exchange>, consumers PSUBSCRIBE (# becomes *)', async () => {
    const broker = open();
    await broker.declare({
      exchanges: [{ name: 't.bcast', type: 'fanout' }],
      queues: [{ name: 't.bcast.me' }],
      bindings: [{ queue: 't.bcast.me', exchange: 't.bcast', routingKey: '#' }],
    });
    const got: string[] = [];
    await broker.consume('t.bcast.me', (d) => got.push(d.message.content.toString()), { prefetch: 0, noAck: true });
    const watcher = check.duplicate();
    const channels: string[] = [];
    watcher.on('pmessage', (_p: string, channel: string) => channels.push(channel));
    await watcher.psubscribe(`/${DB}.t.bcast*`);
    await broker.publish('t.bcast', 'worker.heartbeat', Buffer.from('hello'), {});
    await until(() => expect(got).toEqual(['hello']));
    expect(channels).toEqual([`/${DB}.t.bcast/worker.heartbeat`]);
    watcher.disconnect();
  });

  it('acks: unacked hash + index while held; close() restores what is still held, marked redelivered', async () => {
    const broker = open();
    await broker.declare({ queues: [{ name: 't.acks' }] });
    await broker.publish('', 't.acks', Buffer.from('one'), {});
    await broker.publish('', 't.acks', Buffer.from('two'), {});
    const held: Delivery[] = [];
    await broker.consume('t.acks', (d) => held.push(d), { prefetch: 2 });
    await until(() => expect(held).toHaveLength(2));
    expect(await check.hlen('unacked')).toBe(2);
    expect(await check.zcard('unacked_index')).toBe(2);
    held[0]!.ack();
    await until(async () => expect(await check.hlen('unacked')).toBe(1));
    await broker.close();
    expect(await check.hlen('unacked')).toBe(0);
    const [restored] = await check.lrange('t.acks', 0, -1);
    expect(JSON.parse(restored!)).toMatchObject({ headers: { redelivered: true }, properties: { delivery_info: { redelivered: true } } });
  });

  it('visibility: a held message stays put while its holder lives; another broker restores it once the holder is gone', async () => {
    const holder = open({ visibilityTimeoutMs: 600 });
    const other = open({ visibilityTimeoutMs: 600 });
    await holder.declare({ queues: [{ name: 't.vis' }] });
    await holder.publish('', 't.vis', Buffer.from('v'), {});
    const held: Delivery[] = [];
    await holder.consume('t.vis', (d) => held.push(d), { prefetch: 1 });
    await until(() => expect(held).toHaveLength(1));
    for (let i = 0; i < 6; i++) {
      await pause(300);
      await holder.sweep();
      await other.sweep();
    }
    expect(await check.llen('t.vis')).toBe(0);
    expect(await check.hlen('unacked')).toBe(1);
    // the holder "dies": its records stay behind with an old index time
    await check.zadd('unacked_index', Date.now() / 1000 - 5, (await check.hkeys('unacked'))[0]!);
    (holder as unknown as { ledgerInstance: { held: Set<string> } }).ledgerInstance.held.clear();
    await other.sweep();
    expect(await check.llen('t.vis')).toBe(1);
    expect(await check.hlen('unacked')).toBe(0);
  });

  it('queue depths (the monitor) from another broker: every priority list counted, unacked records routed back to their queue; consumers report consuming', async () => {
    const broker = open();
    const watcher = open(); // a monitor's view: it never declared the queue
    await broker.declare(celeryQueueTopology('t.depth'));
    for (const priority of [0, 0, 9]) await broker.publish('t.depth', 't.depth', Buffer.from('d'), { priority });
    const held: Delivery[] = [];
    const consumer = await broker.consume('t.depth', (d) => held.push(d), { prefetch: 1 });
    await until(() => expect(held).toHaveLength(1));
    expect(await watcher.queueDepths(['t.depth', 't.none'])).toEqual([
      { name: 't.depth', messages: 2, unacked: 1 },
      { name: 't.none', messages: 0, unacked: 0 },
    ]);
    expect(consumer.consuming).toBe(true);
    await consumer.cancel();
    expect(consumer.consuming).toBe(false);
    held[0]!.ack();
    await until(async () => expect((await watcher.queueDepths(['t.depth']))[0]).toEqual({ name: 't.depth', messages: 2, unacked: 0 }));
  });
});

describe('Redis broker: better than Celery on Redis (worker processes)', () => {
  let dir: string;
  let execLog: string;
  let client: CeleryClient;
  const check = redisCheck(URL);
  const workers: FaultWorker[] = [];
  const start = async (queue: string, env: Record<string, string> = {}, url = SHORT) => {
    const worker = await startFaultWorker({ url, queue, execLog, concurrency: 4, prefetch: 8, env });
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    await flushRedisDb(URL);
    dir = mkdtempSync(join(tmpdir(), 'redis-transport-'));
    execLog = join(dir, 'executions.log');
    client = new CeleryClient({ brokerUrl: SHORT });
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    check.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an ETA 5 s away with a 2 s visibility timeout runs once, though two workers watch the queue (held, kept visible)', async () => {
    await start('t.eta');
    await start('t.eta');
    const r = await client.sendTask('faults.work', [1, 0], {}, { queue: 't.eta', countdown: 5, ignoreResult: true });
    await until(() => expect(readExecutions(execLog).ended.get(r.id)).toBe(1), { timeoutMs: 15_000 });
    await pause(2500);
    expect(readExecutions(execLog).started.get(r.id)).toBe(1);
  }, 60_000);

  it('an ETA beyond the hold limit is parked in a sorted set, outside the queue, and runs once when due', async () => {
    await start('t.park', { FAULT_ETA_HOLD_LIMIT_MS: '1000' });
    const r = await client.sendTask('faults.work', [2, 0], {}, { queue: 't.park', countdown: 5, ignoreResult: true });
    await until(async () => expect(await check.zcard('nestjs-celery.parked')).toBe(1));
    expect(await check.llen('t.park')).toBe(0);
    await until(() => expect(readExecutions(execLog).ended.get(r.id)).toBe(1), { timeoutMs: 15_000 });
    await pause(2500);
    expect(readExecutions(execLog).started.get(r.id)).toBe(1);
  }, 60_000);

  it('SIGKILL loses nothing: the killed worker\'s unacked messages come back after the visibility timeout and run once more', async () => {
    const victim = await start('t.kill');
    const sent: AsyncResult[] = [];
    for (let i = 0; i < 12; i++) sent.push(await client.sendTask('faults.work', [i, 1500], {}, { queue: 't.kill', ignoreResult: true }));
    const ours = (ids: Iterable<string>) => [...ids].filter((id) => sent.some((r) => r.id === id));
    await until(() => expect(ours(readExecutions(execLog).started.keys()).length).toBeGreaterThanOrEqual(4));
    const unackedAtKill = await check.hlen('unacked');
    await victim.kill('SIGKILL');
    const interrupted = ours(interruptedIn(execLog, victim.pid));
    await start('t.kill');
    await until(() => expect(sent.every((r) => readExecutions(execLog).ended.get(r.id) === 1)).toBe(true), { timeoutMs: 40_000 });
    const runs = readExecutions(execLog);
    // every task finished exactly once; those the victim was running ran a second time, no more
    expect(interrupted.length).toBeGreaterThanOrEqual(1);
    expect(unackedAtKill).toBeGreaterThanOrEqual(interrupted.length);
    for (const r of sent) expect(runs.started.get(r.id)).toBe(interrupted.includes(r.id) ? 2 : 1);
    await until(async () => expect(await check.hlen('unacked')).toBe(0));
  }, 90_000);

  it('bad input is dead-lettered with the reason (one log line each) and the worker keeps running', async () => {
    const worker = await start('t.bad');
    const good = { body: '', 'content-type': 'application/json', headers: {}, properties: { delivery_tag: 'x', body_encoding: 'base64', delivery_info: { exchange: '', routing_key: 't.bad' } } };
    await check.lpush('t.bad', 'this is not json');
    await check.lpush('t.bad', JSON.stringify({ ...good, body: '!!not base64!!', properties: { ...good.properties, delivery_tag: 'bad-b64' } }));
    await check.lpush('t.bad', JSON.stringify({ body: 'e30=' }));
    await check.lpush('t.bad', JSON.stringify({ ...good, body: Buffer.from('{"no":"task"}').toString('base64'), properties: { ...good.properties, delivery_tag: 'no-task' } }));
    await until(async () => expect(await check.llen(DEAD)).toBe(4));
    const dead = (await check.lrange(DEAD, 0, -1)).map((raw) => JSON.parse(raw) as { headers: Record<string, string> });
    // the first three are refused by the broker (not a kombu envelope), the last by the worker (not a task message)
    expect(dead.map((d) => d.headers['x-celery-rejected-reason']).sort()).toEqual(['invalid-body-encoding', 'invalid-envelope', 'invalid-envelope', 'unknown-message']);
    expect(dead.every((d) => d.headers['x-original-queue'] === 't.bad')).toBe(true);
    expect(worker.log.split('\n').filter((line) => /dead-lettered|rejected/.test(line))).toHaveLength(4);
    const after = await client.sendTask<number>('faults.work', [7, 0], {}, { queue: 't.bad' });
    await expect(after.get({ timeout: 10_000 })).resolves.toBe(7);
    expect(worker.alive).toBe(true);
    expect(await check.hlen('unacked')).toBe(0);
  }, 30_000);
});
