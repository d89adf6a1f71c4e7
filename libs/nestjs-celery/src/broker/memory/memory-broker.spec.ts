import { describe, expect, it, jest } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { toPyAmqpTable } from '../py-amqp-table.js';
import { BrokerClosedError, PublishNotConfirmedError, TopologyMismatchError } from '../broker.errors.js';
import type { ConsumeOptions } from '../broker.js';
import type { Delivery } from '../delivery.js';
import { celeryQueueTopology, rpcReplyQueue, type Topology } from '../topology.js';
import type { XDeathEntry } from './dead-letter.properties.js';
import { MemoryBroker } from './memory-broker.js';
import { EntityNotFoundError, ResourceLockedError } from './memory-broker.errors.js';
import { MemoryVhost } from './memory-vhost.js';

/** Lets pending deliveries (setImmediate) run. */
async function flush(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function quietLogger(): LoggerService & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, log: () => undefined, error: () => undefined, warn: (m: unknown) => warnings.push(String(m)) };
}

/** A consumer that keeps every delivery (settled by the test). */
async function collect(broker: MemoryBroker, queue: string, options: Partial<ConsumeOptions> = {}) {
  const deliveries: Delivery[] = [];
  const handle = await broker.consume(queue, (d) => deliveries.push(d), { prefetch: 0, ...options });
  const bodies = () => deliveries.map((d) => d.message.content.toString());
  return { deliveries, handle, bodies };
}

const text = (value: string) => Buffer.from(value);

async function queueWithDlx(broker: MemoryBroker, queue: string, args: Record<string, unknown> = {}): Promise<void> {
  await broker.declare({
    exchanges: [{ name: 'dlx', type: 'fanout' }],
    queues: [{ name: 'dead' }, { name: queue, arguments: { 'x-dead-letter-exchange': 'dlx', ...args } }],
    bindings: [{ queue: 'dead', exchange: 'dlx', routingKey: '' }],
  });
}

describe('MemoryBroker: status and lifecycle', () => {
  it('is connecting, then connected on connect(), closed after close() (stream completes), idempotent', async () => {
    const broker = new MemoryBroker();
    const seen: string[] = [];
    let completed = false;
    broker.status$.subscribe({ next: (s) => seen.push(s), complete: () => (completed = true) });
    expect(broker.status).toBe('connecting');
    await broker.connect();
    await broker.whenConnected();
    expect(broker.status).toBe('connected');
    await broker.close();
    await broker.close();
    expect(seen).toEqual(['connecting', 'connected', 'closed']);
    expect(completed).toBe(true);
  });

  it('connects implicitly on first use, like AmqpBroker', async () => {
    const broker = new MemoryBroker();
    await broker.declare({ queues: [{ name: 'q' }] });
    expect(broker.status).toBe('connected');
  });

  it('refuses every operation after close() with BrokerClosedError; publishUnconfirmed logs instead', async () => {
    const logger = quietLogger();
    const broker = new MemoryBroker({ logger });
    await broker.close();
    await expect(broker.connect()).rejects.toBeInstanceOf(BrokerClosedError);
    await expect(broker.whenConnected()).rejects.toBeInstanceOf(BrokerClosedError);
    await expect(broker.declare({ queues: [{ name: 'q' }] })).rejects.toBeInstanceOf(BrokerClosedError);
    await expect(broker.publish('', 'q', text('x'), {})).rejects.toBeInstanceOf(BrokerClosedError);
    await expect(broker.consume('q', () => undefined, { prefetch: 1 })).rejects.toBeInstanceOf(BrokerClosedError);
    broker.publishUnconfirmed('', 'q', text('x'), {});
    expect(logger.warnings).toEqual([expect.stringContaining('lost')]);
  });
});

describe('MemoryBroker: routing', () => {
  it('default exchange routes to the queue named by the key; unroutable messages are dropped but confirmed', async () => {
    const broker = new MemoryBroker();
    await broker.declare({ queues: [{ name: 'tasks' }] });
    await broker.publish('', 'tasks', text('a'), {});
    await expect(broker.publish('', 'nowhere', text('b'), {})).resolves.toBeUndefined();
    expect(broker.vhost.inspectQueue('tasks')).toEqual({ name: 'tasks', ready: 1, unacked: 0, consumers: 0 });
    expect(broker.vhost.published().map((p) => p.queues)).toEqual([['tasks'], []]);
  });

  it('publishing to a missing exchange fails with PublishNotConfirmedError (NOT_FOUND)', async () => {
    const broker = new MemoryBroker();
    const error = await broker.publish('missing', 'k', text('x'), {}).then(() => new Error('expected a rejection'), (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(PublishNotConfirmedError);
    expect(error.message).toContain("NOT_FOUND - no exchange 'missing'");
  });

  it('direct: by equal routing key, to every queue bound with it', async () => {
    const broker = new MemoryBroker();
    await broker.declare({
      exchanges: [{ name: 'd', type: 'direct' }],
      queues: [{ name: 'q1' }, { name: 'q2' }, { name: 'q3' }],
      bindings: [
        { queue: 'q1', exchange: 'd', routingKey: 'red' },
        { queue: 'q2', exchange: 'd', routingKey: 'red' },
        { queue: 'q3', exchange: 'd', routingKey: 'blue' },
        { queue: 'q3', exchange: 'd', routingKey: 'red' },
      ],
    });
    await broker.publish('d', 'red', text('r'), {});
    await broker.publish('d', 'blue', text('b'), {});
    await broker.publish('d', 'green', text('g'), {});
    const depths = ['q1', 'q2', 'q3'].map((q) => broker.vhost.inspectQueue(q)!.ready);
    expect(depths).toEqual([1, 1, 2]);
  });

  it('topic: * is one word, # is zero or more; a message goes once to a queue matched by several bindings', async () => {
    const broker = new MemoryBroker();
    await broker.declare({
      exchanges: [{ name: 'order', type: 'topic' }],
      queues: [{ name: 'billing.order-events' }, { name: 'logistic.order-events' }, { name: 'audit' }],
      bindings: [
        { queue: 'billing.order-events', exchange: 'order', routingKey: 'order.*.submit' },
        { queue: 'billing.order-events', exchange: 'order', routingKey: 'order.*.chargeback' },
        { queue: 'logistic.order-events', exchange: 'order', routingKey: 'order.*.submit' },
        { queue: 'audit', exchange: 'order', routingKey: '#' },
        { queue: 'audit', exchange: 'order', routingKey: 'order.#' },
      ],
    });
    const billing = await collect(broker, 'billing.order-events');
    const logistic = await collect(broker, 'logistic.order-events');
    const audit = await collect(broker, 'audit');
    for (const key of ['order.v1.submit', 'order.v1.chargeback', 'order.v2.submit', 'order.submit', 'billing.v1.invoiced']) {
      await broker.publish('order', key, text(key), {});
    }
    await flush();
    expect(billing.bodies()).toEqual(['order.v1.submit', 'order.v1.chargeback', 'order.v2.submit']);
    expect(logistic.bodies()).toEqual(['order.v1.submit', 'order.v2.submit']);
    expect(audit.bodies()).toHaveLength(5);
    expect(billing.deliveries[0]!.message.fields).toMatchObject({ exchange: 'order', routingKey: 'order.v1.submit' });
  });

  it('fanout: every bound queue, whatever the key', async () => {
    const broker = new MemoryBroker();
    await broker.declare({
      exchanges: [{ name: 'broadcast', type: 'fanout' }],
      queues: [{ name: 'a' }, { name: 'b' }],
      bindings: [
        { queue: 'a', exchange: 'broadcast', routingKey: 'ignored' },
        { queue: 'b', exchange: 'broadcast', routingKey: '' },
      ],
    });
    await broker.publish('broadcast', 'anything', text('x'), {});
    expect([broker.vhost.inspectQueue('a')!.ready, broker.vhost.inspectQueue('b')!.ready]).toEqual([1, 1]);
  });

  it('headers: x-match all / any over the binding arguments', async () => {
    const broker = new MemoryBroker();
    await broker.declare({
      exchanges: [{ name: 'h', type: 'headers' }],
      queues: [{ name: 'all' }, { name: 'any' }],
      bindings: [
        { queue: 'all', exchange: 'h', routingKey: '', arguments: { 'x-match': 'all', kind: 'pdf', size: 'big' } },
        { queue: 'any', exchange: 'h', routingKey: '', arguments: { 'x-match': 'any', kind: 'pdf', size: 'big' } },
      ],
    });
    await broker.publish('h', '', text('1'), { headers: { kind: 'pdf', size: 'big' } });
    await broker.publish('h', '', text('2'), { headers: { kind: 'pdf', size: 'small' } });
    await broker.publish('h', '', text('3'), { headers: { kind: 'doc' } });
    expect([broker.vhost.inspectQueue('all')!.ready, broker.vhost.inspectQueue('any')!.ready]).toEqual([1, 2]);
  });

  it('CC / BCC add routing keys; CC stays in the headers, BCC does not', async () => {
    const broker = new MemoryBroker();
    await broker.declare({ queues: [{ name: 'main' }, { name: 'cc' }, { name: 'bcc' }] });
    await broker.publish('', 'main', text('x'), { CC: 'cc', BCC: ['bcc'] });
    const got = broker.vhost.get('bcc')!;
    expect(got.properties.headers).toEqual({ CC: ['cc'] });
    expect(broker.vhost.get('cc')).toBeDefined();
    expect(broker.vhost.get('main')!.fields.routingKey).toBe('main');
  });
});

describe('MemoryBroker: deliveries', () => {
  it('delivers asynchronously (never inside publish) with amqplib-shaped fields and properties', async () => {
    const broker = new MemoryBroker();
    await broker.declare(celeryQueueTopology('celery'));
    const { deliveries } = await collect(broker, 'celery', { prefetch: 10 });
    const content = text('[[1, 2], {}, {}]');
    const publishing = broker.publish('celery', 'celery', content, {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      correlationId: 'id-1',
      replyTo: 'reply',
      persistent: true,
      priority: 3,
      messageId: 'm-1',
      expiration: 60_000,
      headers: toPyAmqpTable({ task: 'add', retries: 0, big: 2 ** 40, nested: { a: [1, 2] }, skipped: undefined }),
    });
    content.write('XX'); // the broker keeps its own copy
    await publishing;
    expect(deliveries).toHaveLength(0);
    await flush();
    expect(deliveries).toHaveLength(1);
    const { message } = deliveries[0]!;
    expect(message.content.toString()).toBe('[[1, 2], {}, {}]');
    expect(message.fields).toEqual({ consumerTag: expect.stringMatching(/^amq\.ctag-/), deliveryTag: 1, redelivered: false, exchange: 'celery', routingKey: 'celery' });
    expect(message.properties).toEqual({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      headers: { task: 'add', retries: 0, big: 2 ** 40, nested: { a: [1, 2] }, skipped: null },
      deliveryMode: 2,
      priority: 3,
      correlationId: 'id-1',
      replyTo: 'reply',
      expiration: '60000',
      messageId: 'm-1',
      timestamp: undefined,
      type: undefined,
      userId: undefined,
      appId: undefined,
      clusterId: undefined,
    });
    expect(Object.keys(message.properties)).toHaveLength(14);
  });

  it('headers are always a table, deliveryMode undefined when not given (as amqplib reads them)', async () => {
    const broker = new MemoryBroker();
    await broker.declare({ queues: [{ name: 'q' }] });
    await broker.publish('', 'q', text('x'), {});
    expect(broker.vhost.get('q')!.properties).toMatchObject({ headers: {}, deliveryMode: undefined });
  });

  it('competing consumers get messages round-robin', async () => {
    const broker = new MemoryBroker();
    await broker.declare({ queues: [{ name: 'work' }] });
    const a = await collect(broker, 'work', { prefetch: 10 });
    const b = await collect(broker, 'work', { prefetch: 10 });
    for (let i = 0; i < 6; i++) await broker.publish('', 'work', text(String(i)), {});
    await flush();
    expect(a.bodies()).toEqual(['0', '2', '4']);
    expect(b.bodies()).toEqual(['1', '3', '5']);
  });

  it('prefetch caps unacknowledged messages per consumer; acks and setPrefetch let more through', async () => {
    const broker = new MemoryBroker();
    await broker.declare({ queues: [{ name: 'work' }] });
    const slow = await collect(broker, 'work', { prefetch: 2 });
    for (let i = 0; i < 5; i++) await broker.publish('', 'work', text(String(i)), {});
    await flush();
    expect(slow.bodies()).toEqual(['0', '1']);
    expect(broker.vhost.inspectQueue('work')).toMatchObject({ ready: 3, unacked: 2 });
    slow.deliveries[0]!.ack();
    await flush();
    expect(slow.bodies()).toEqual(['0', '1', '2']);
    await slow.handle.setPrefetch(10);
    await flush();
    expect(slow.bodies()).toHaveLength(5);
    expect(broker.vhost.inspectQueue('work')).toMatchObject({ ready: 0, unacked: 4 });
  });

  it('a full consumer is skipped: the other competing consumer takes the rest', async () => {
    const broker = new MemoryBroker();
    await broker.declare({ queues: [{ name: 'work' }] });
    const one = await collect(broker, 'work', { prefetch: 1 });
    const many = await collect(broker, 'work', { prefetch: 100 });
    for (let i = 0; i < 5; i++) await broker.publish('', 'work', text(String(i)), {});
    await flush();
    expect(one.bodies()).toEqual(['0']);
    expect(many.bodies()).toEqual(['1', '2', '3', '4']);
  });

  it('noAck consumers get everything at once; nothing stays unacked', async () => {
    const broker = new MemoryBroker();
    await broker.declare({ queues: [rpcReplyQueue('reply')] });
    const replies = await collect(broker, 'reply', { prefetch: 0, noAck: true });
    for (let i = 0; i < 3; i++) broker.publishUnconfirmed('', 'reply', text(String(i)), {});
    await flush();
    expect(replies.bodies()).toEqual(['0', '1', '2']);
    replies.deliveries[0]!.ack(); // harmless
    expect(broker.vhost.inspectQueue('reply')).toMatchObject({ ready: 0, unacked: 0 });
  });

  it('reject(requeue) puts the message back at its place with redelivered set; ack forgets it', async () => {
    const broker = new MemoryBroker();
    await broker.declare({ queues: [{ name: 'q' }] });
    for (const body of ['a', 'b']) await broker.publish('', 'q', text(body), {});
    const first = await collect(broker, 'q', { prefetch: 1 });
    await flush();
    expect(first.bodies()).toEqual(['a']);
    first.deliveries[0]!.reject(true);
    await flush();
    expect(first.bodies()).toEqual(['a', 'a']);
    expect(first.deliveries.map((d) => [d.message.fields.redelivered, d.message.fields.deliveryTag])).toEqual([
      [false, 1],
      [true, 2],
    ]);
    first.deliveries[1]!.ack();
    await flush();
    expect(first.bodies()).toEqual(['a', 'a', 'b']);
    first.deliveries[2]!.ack();
    expect(broker.vhost.inspectQueue('q')).toMatchObject({ ready: 0, unacked: 0 });
  });

  it('reject(false) without a dead-letter exchange drops the message', async () => {
    const broker = new MemoryBroker();
    await broker.declare({ queues: [{ name: 'q' }] });
    await broker.publish('', 'q', text('x'), {});
    const consumer = await collect(broker, 'q', { prefetch: 1 });
    await flush();
    consumer.deliveries[0]!.reject(false);
    await flush();
    expect(broker.vhost.inspectQueue('q')).toMatchObject({ ready: 0, unacked: 0 });
  });

  it('settling a delivery twice is ignored with a warning', async () => {
    const logger = quietLogger();
    const broker = new MemoryBroker({ logger });
    await broker.declare({ queues: [{ name: 'q' }] });
    await broker.publish('', 'q', text('x'), {});
    const consumer = await collect(broker, 'q', { prefetch: 1 });
    await flush();
    consumer.deliveries[0]!.ack();
    consumer.deliveries[0]!.reject(true);
    await flush();
    expect(consumer.deliveries).toHaveLength(1);
    expect(logger.warnings).toEqual([expect.stringContaining('settled twice')]);
  });

  it('a throwing consumer callback is logged; the message stays unacknowledged', async () => {
    const logger = quietLogger();
    const broker = new MemoryBroker({ logger });
    await broker.declare({ queues: [{ name: 'q' }] });
    await broker.consume('q', () => {
      throw new Error('boom');
    }, { prefetch: 1 });
    await broker.publish('', 'q', text('x'), {});
    await flush();
    expect(logger.warnings).toEqual([expect.stringContaining('boom')]);
    expect(broker.vhost.inspectQueue('q')).toMatchObject({ unacked: 1 });
  });

  it('x-max-priority: higher priority first (clamped to the maximum); plain queues ignore priority', async () => {
    const broker = new MemoryBroker();
    await broker.declare({ queues: [{ name: 'prio', arguments: { 'x-max-priority': 5 } }, { name: 'plain' }] });
    for (const [body, priority] of [['low', 1], ['none', undefined], ['high', 9], ['mid', 4]] as const) {
      await broker.publish('', 'prio', text(body), { priority });
      await broker.publish('', 'plain', text(body), { priority });
    }
    const order = (queue: string) => Array.from({ length: 4 }, () => broker.vhost.get(queue)!.content.toString());
    expect(order('prio')).toEqual(['high', 'mid', 'low', 'none']);
    expect(order('plain')).toEqual(['low', 'none', 'high', 'mid']);
  });

  it('cancel stops deliveries; unsettled deliveries can still be acked', async () => {
    const broker = new MemoryBroker();
    await broker.declare({ queues: [{ name: 'q' }] });
    const consumer = await collect(broker, 'q', { prefetch: 1 });
    await broker.publish('', 'q', text('a'), {});
    await broker.publish('', 'q', text('b'), {});
    await flush();
    await consumer.handle.cancel();
    consumer.deliveries[0]!.ack();
    await flush();
    expect(consumer.bodies()).toEqual(['a']);
    expect(broker.vhost.inspectQueue('q')).toEqual({ name: 'q', ready: 1, unacked: 0, consumers: 0 });
  });
});

describe('MemoryBroker: dead-lettering and TTL', () => {
  it('reject(false) dead-letters to x-dead-letter-exchange with x-death and x-first-death-* headers', async () => {
    const broker = new MemoryBroker();
    await queueWithDlx(broker, 'work');
    await broker.publish('', 'work', text('poison'), { headers: { task: 't' }, messageId: 'm' });
    const consumer = await collect(broker, 'work', { prefetch: 1 });
    await flush();
    consumer.deliveries[0]!.reject(false);
    await flush();
    const dead = broker.vhost.get('dead')!;
    expect(dead.content.toString()).toBe('poison');
    expect(dead.fields).toMatchObject({ exchange: 'dlx', routingKey: 'work', redelivered: false });
    expect(dead.properties.messageId).toBe('m');
    const headers = dead.properties.headers!;
    expect(headers).toMatchObject({ task: 't', 'x-first-death-reason': 'rejected', 'x-first-death-queue': 'work', 'x-first-death-exchange': '' });
    expect(headers['x-death']).toEqual([
      { count: 1, reason: 'rejected', queue: 'work', exchange: '', 'routing-keys': ['work'], time: { '!': 'timestamp', value: expect.any(Number) } },
    ]);
  });

  it('x-dead-letter-routing-key replaces the routing key; the default exchange works as DLX', async () => {
    const broker = new MemoryBroker();
    await broker.declare({
      queues: [{ name: 'parking' }, { name: 'work', arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'parking' } }],
    });
    await broker.publish('', 'work', text('x'), {});
    const consumer = await collect(broker, 'work', { prefetch: 1 });
    await flush();
    consumer.deliveries[0]!.reject(false);
    await flush();
    expect(broker.vhost.get('parking')!.fields).toMatchObject({ exchange: '', routingKey: 'parking' });
  });

  it('x-message-ttl expires waiting messages to the DLX (reason expired), with no consumer at all', async () => {
    const broker = new MemoryBroker();
    await queueWithDlx(broker, 'delayed', { 'x-message-ttl': 40 });
    await broker.publish('', 'delayed', text('later'), {});
    expect(broker.vhost.inspectQueue('delayed')!.ready).toBe(1);
    await sleep(80);
    expect(broker.vhost.inspectQueue('delayed')!.ready).toBe(0);
    const dead = broker.vhost.get('dead')!;
    expect(dead.properties.headers!['x-first-death-reason']).toBe('expired');
  });

  it('per-message expiration: only that message expires; expiration is removed and kept as original-expiration', async () => {
    const broker = new MemoryBroker();
    await queueWithDlx(broker, 'work');
    await broker.publish('', 'work', text('short'), { expiration: 30 });
    await broker.publish('', 'work', text('long'), {});
    await sleep(70);
    expect(broker.vhost.inspectQueue('work')!.ready).toBe(1);
    const dead = broker.vhost.get('dead')!;
    expect(dead.content.toString()).toBe('short');
    expect(dead.properties.expiration).toBeUndefined();
    expect((dead.properties.headers!['x-death'] as XDeathEntry[])[0]).toMatchObject({ reason: 'expired', 'original-expiration': '30' });
  });

  it('an expired message is not delivered to a consumer that frees up later', async () => {
    const broker = new MemoryBroker();
    await queueWithDlx(broker, 'work');
    const consumer = await collect(broker, 'work', { prefetch: 1 });
    await broker.publish('', 'work', text('first'), {});
    await broker.publish('', 'work', text('stale'), { expiration: 20 });
    await flush();
    await sleep(40);
    consumer.deliveries[0]!.ack();
    await flush();
    expect(consumer.bodies()).toEqual(['first']);
    expect(broker.vhost.get('dead')!.content.toString()).toBe('stale');
  });

  it('TTL 0: delivered if a consumer can take it at once, otherwise expired at once (as RabbitMQ)', async () => {
    const broker = new MemoryBroker();
    await queueWithDlx(broker, 'work');
    await broker.publish('', 'work', text('nobody-there'), { expiration: 0 });
    expect(broker.vhost.get('dead')!.content.toString()).toBe('nobody-there');
    const consumer = await collect(broker, 'work', { prefetch: 1 });
    await broker.publish('', 'work', text('taken'), { expiration: 0 });
    await broker.publish('', 'work', text('no-room'), { expiration: 0 });
    await flush();
    expect(consumer.bodies()).toEqual(['taken']);
    expect(broker.vhost.get('dead')!.content.toString()).toBe('no-room');
  });

  it('the x-death entry is counted up per (queue, reason) across rounds (TTL retry pattern)', async () => {
    const broker = new MemoryBroker();
    await broker.declare({
      exchanges: [{ name: 'retry', type: 'direct' }, { name: 'main', type: 'direct' }],
      queues: [
        { name: 'main.q', arguments: { 'x-dead-letter-exchange': 'retry' } },
        { name: 'retry.q', arguments: { 'x-dead-letter-exchange': 'main', 'x-message-ttl': 10 } },
      ],
      bindings: [
        { queue: 'main.q', exchange: 'main', routingKey: 'job' },
        { queue: 'retry.q', exchange: 'retry', routingKey: 'job' },
      ],
    });
    const seen: Delivery[] = [];
    await broker.consume('main.q', (d) => {
      seen.push(d);
      if (seen.length < 3) d.reject(false);
      else d.ack();
    }, { prefetch: 1 });
    await broker.publish('main', 'job', text('job'), {});
    for (let i = 0; i < 40 && seen.length < 3; i++) await sleep(10);
    expect(seen).toHaveLength(3);
    const deaths = seen[2]!.message.properties.headers!['x-death'] as XDeathEntry[];
    expect(deaths.map((d) => [d.queue, d.reason, d.count])).toEqual([
      ['retry.q', 'expired', 2],
      ['main.q', 'rejected', 2],
    ]);
  });

  it('drops an expiry-only dead-letter cycle instead of looping forever (RabbitMQ rule)', async () => {
    const broker = new MemoryBroker();
    await broker.declare({ queues: [{ name: 'loop', arguments: { 'x-dead-letter-exchange': '', 'x-message-ttl': 5 } }] });
    await broker.publish('', 'loop', text('x'), {});
    await sleep(40);
    expect(broker.vhost.inspectQueue('loop')!.ready).toBe(0);
  });
});

describe('MemoryBroker: declarations', () => {
  it('declaring the same topology again is a no-op, from the same or another connection', async () => {
    const vhost = new MemoryVhost();
    const a = new MemoryBroker({ vhost });
    const b = new MemoryBroker({ vhost });
    await a.declare(celeryQueueTopology('celery'));
    await a.declare(celeryQueueTopology('celery'));
    await b.declare(celeryQueueTopology('celery'));
    // RabbitMQ compares effective attributes: the defaults spelled out are equivalent
    await b.declare({ queues: [{ name: 'plain' }] });
    await a.declare({ queues: [{ name: 'plain', durable: true, autoDelete: false, exclusive: false }] });
    expect(a.hasQueue('celery') && b.hasQueue('celery') && a.hasQueue('plain')).toBe(true);
    expect(b.hasQueue('other')).toBe(false);
  });

  it('one connection declaring a name twice with other attributes fails locally (as AmqpBroker)', async () => {
    const broker = new MemoryBroker();
    await broker.declare(celeryQueueTopology('q'));
    await expect(broker.declare(celeryQueueTopology('q', { arguments: { 'x-max-priority': 5 } }))).rejects.toThrow(TopologyMismatchError);
  });

  it.each<[string, Topology, Topology, string]>([
    ['queue durable', { queues: [{ name: 'q', durable: true }] }, { queues: [{ name: 'q', durable: false }] }, "inequivalent arg 'durable'"],
    ['queue auto-delete', { queues: [{ name: 'q' }] }, { queues: [{ name: 'q', autoDelete: true }] }, "inequivalent arg 'auto_delete'"],
    [
      'queue arguments',
      { queues: [{ name: 'q', arguments: { 'x-max-priority': 10 } }] },
      { queues: [{ name: 'q' }] },
      "inequivalent arg 'x-max-priority' for queue 'q' in vhost 'memory': received 'none' but current is '10'",
    ],
    ['exchange type', { exchanges: [{ name: 'e', type: 'direct' }] }, { exchanges: [{ name: 'e', type: 'topic' }] }, "inequivalent arg 'type'"],
    ['exchange durable', { exchanges: [{ name: 'e', type: 'topic' }] }, { exchanges: [{ name: 'e', type: 'topic', durable: false }] }, "inequivalent arg 'durable'"],
  ])('another connection re-declaring with a different %s fails with TopologyMismatchError (PRECONDITION_FAILED)', async (_what, first, second, text) => {
    const vhost = new MemoryVhost();
    await new MemoryBroker({ vhost }).declare(first);
    const other = new MemoryBroker({ vhost });
    const error = await other.declare(second).then(() => new Error('expected a rejection'), (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(TopologyMismatchError);
    expect(error.message).toContain('PRECONDITION_FAILED');
    expect(error.message).toContain(text);
    // the connection keeps working
    await expect(other.declare({ queues: [{ name: 'fine' }] })).resolves.toBeUndefined();
    expect(other.hasQueue('q')).toBe(false);
  });

  it('queue arguments that typed numbers (toPyAmqpTable) are equivalent to plain ones', async () => {
    const vhost = new MemoryVhost();
    await new MemoryBroker({ vhost }).declare({ queues: [{ name: 'q', arguments: { 'x-max-priority': 10 } }] });
    await expect(new MemoryBroker({ vhost }).declare({ queues: [{ name: 'q', arguments: toPyAmqpTable({ 'x-max-priority': 10 }) }] })).resolves.toBeUndefined();
  });

  it('invalid queue arguments are refused', async () => {
    const broker = new MemoryBroker();
    await expect(broker.declare({ queues: [{ name: 'q', arguments: { 'x-message-ttl': -1 } }] })).rejects.toThrow(/invalid arg 'x-message-ttl'/);
    await expect(broker.declare({ queues: [{ name: 'q2', arguments: { 'x-max-priority': 1000 } }] })).rejects.toThrow(/x-max-priority/);
  });

  it('binding or consuming a missing entity fails with EntityNotFoundError (NOT_FOUND)', async () => {
    const broker = new MemoryBroker();
    await broker.declare({ queues: [{ name: 'q' }] });
    await expect(broker.declare({ bindings: [{ queue: 'q', exchange: 'missing', routingKey: 'k' }] })).rejects.toThrow(EntityNotFoundError);
    await expect(broker.declare({ bindings: [{ queue: 'missing', exchange: 'amq.direct', routingKey: 'k' }] })).rejects.toThrow(/NOT_FOUND - no queue 'missing'/);
    await expect(broker.consume('missing', () => undefined, { prefetch: 1 })).rejects.toThrow(EntityNotFoundError);
  });
});

describe('MemoryBroker: queue lifetimes and connections', () => {
  it('auto-delete queues disappear with their last consumer (and their bindings with them)', async () => {
    const broker = new MemoryBroker();
    await broker.declare({
      exchanges: [{ name: 'e', type: 'fanout' }],
      queues: [{ name: 'temp', autoDelete: true, durable: false }],
      bindings: [{ queue: 'temp', exchange: 'e', routingKey: '' }],
    });
    const a = await collect(broker, 'temp');
    const b = await collect(broker, 'temp');
    await a.handle.cancel();
    expect(broker.vhost.queueNames()).toContain('temp');
    await b.handle.cancel();
    expect(broker.vhost.queueNames()).not.toContain('temp');
    await broker.publish('e', '', text('x'), {});
    expect(broker.vhost.published().at(-1)!.queues).toEqual([]);
  });

  it('x-expires deletes a queue left without consumers; a consumer keeps it alive', async () => {
    const broker = new MemoryBroker();
    await broker.declare({ queues: [rpcReplyQueue('idle', 30), rpcReplyQueue('used', 30)] });
    const consumer = await collect(broker, 'used', { noAck: true });
    await sleep(70);
    expect(broker.vhost.queueNames()).toEqual(['used']);
    await consumer.handle.cancel(); // auto-delete as well
    expect(broker.vhost.queueNames()).toEqual([]);
  });

  it('exclusive queues belong to their connection: locked for others, deleted when it closes', async () => {
    const vhost = new MemoryVhost();
    const owner = new MemoryBroker({ vhost });
    const other = new MemoryBroker({ vhost });
    await owner.declare({ queues: [{ name: 'mine', exclusive: true, durable: false }] });
    await expect(other.consume('mine', () => undefined, { prefetch: 1 })).rejects.toThrow(ResourceLockedError);
    await expect(other.declare({ queues: [{ name: 'mine', exclusive: true, durable: false }] })).rejects.toThrow(/RESOURCE_LOCKED/);
    await owner.close();
    expect(vhost.queueNames()).toEqual([]);
  });

  it('an exclusive consumer has the queue alone', async () => {
    const broker = new MemoryBroker();
    await broker.declare({ queues: [{ name: 'q' }] });
    await broker.consume('q', () => undefined, { prefetch: 1, exclusive: true });
    await expect(broker.consume('q', () => undefined, { prefetch: 1 })).rejects.toThrow(ResourceLockedError);
  });

  it('closing a connection requeues its unacknowledged messages (redelivered) to the other consumers', async () => {
    const vhost = new MemoryVhost();
    const crashing = new MemoryBroker({ vhost, connectionName: 'billing-1' });
    const survivor = new MemoryBroker({ vhost, connectionName: 'billing-2' });
    await crashing.declare(celeryQueueTopology('billing'));
    await survivor.declare(celeryQueueTopology('billing'));
    const lost = await collect(crashing, 'billing', { prefetch: 10 });
    for (let i = 0; i < 3; i++) await survivor.publish('', 'billing', text(String(i)), {});
    await flush();
    expect(lost.bodies()).toEqual(['0', '1', '2']);
    lost.deliveries[0]!.ack();
    const kept = await collect(survivor, 'billing', { prefetch: 10 });
    await crashing.close();
    lost.deliveries[1]!.ack(); // too late: ignored, the message is already back
    await flush();
    expect(kept.bodies()).toEqual(['1', '2']);
    expect(kept.deliveries.every((d) => d.message.fields.redelivered)).toBe(true);
    expect(vhost.inspectQueue('billing')).toEqual({ name: 'billing', ready: 0, unacked: 2, consumers: 1 });
  });

  it('records published messages and tells listeners', async () => {
    const broker = new MemoryBroker({ vhost: new MemoryVhost({ historyLimit: 2 }) });
    const listener = jest.fn();
    const stop = broker.vhost.onPublished(listener);
    for (const key of ['a', 'b', 'c']) await broker.publish('amq.topic', key, text(key), {});
    stop();
    await broker.publish('amq.topic', 'd', text('d'), {});
    expect(listener).toHaveBeenCalledTimes(3);
    expect(broker.vhost.published().map((p) => p.routingKey)).toEqual(['c', 'd']);
    expect(broker.vhost.exchangeNames()).toEqual(['amq.direct', 'amq.fanout', 'amq.match', 'amq.topic']);
  });
});
