/**
 * The in-memory broker behaves like RabbitMQ: each scenario runs once through `AmqpBroker` on
 * real RabbitMQ and once through `MemoryBroker`, using only the `Broker` interface, and both
 * traces of what consumers observed must be equal (routing per exchange type and topic
 * wildcards, message shape, competing consumers with prefetch, requeue / redelivered,
 * dead-lettering on reject and on TTL with x-death headers, conflicting re-declaration).
 */
import { AmqpBroker, MemoryBroker, MemoryVhost, RedisBroker, TopologyMismatchError, type Broker, type Delivery } from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import { deleteExchanges, deleteQueues } from './support/rabbitmq-admin.js';
import { flushRedisDb, redisBrokerUrl } from './support/redis-broker.js';

/** The Redis broker's database for its parity runs (flushed before each scenario). */
const REDIS_PARITY_URL = redisBrokerUrl(9);

const P = 'parity';
const QUEUES = ['direct', 'topic.a', 'topic.b', 'fanout', 'headers', 'shape', 'requeue', 'work', 'dlq', 'reject', 'ttl', 'prio', 'mismatch', 'prefetch'].map((q) => `${P}.${q}`);
const EXCHANGES = ['direct', 'topic', 'fanout', 'headers', 'dlx'].map((e) => `${P}.${e}`);

type Kind = 'rabbitmq' | 'memory' | 'redis';

/** Opens connections of one kind (memory ones share a vhost, like RabbitMQ connections share one). */
function connections(kind: Kind): { open: () => Broker; closeAll: () => Promise<void> } {
  const vhost = new MemoryVhost();
  const opened: Broker[] = [];
  return {
    open: () => {
      const broker =
        kind === 'rabbitmq'
          ? new AmqpBroker({ url: BROKER_URL, connectTimeoutMs: 5000 })
          : kind === 'redis'
            ? new RedisBroker({ url: REDIS_PARITY_URL })
            : new MemoryBroker({ vhost });
      opened.push(broker);
      return broker;
    },
    closeAll: async () => {
      await Promise.all(opened.map((b) => b.close()));
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (value: string) => Buffer.from(value);

/** Deliveries seen by every consumer of this file so far: {@link settle} waits until it stops growing. */
let deliveriesSeen = 0;

/**
 * Waits until the broker has pushed what it is going to push: the memory broker within a few
 * macrotasks; RabbitMQ at least 250 ms and then until no delivery arrived for three polls in a
 * row, so a loaded machine (deliveries arriving late) extends the wait instead of cutting a trace short.
 */
async function settle(kind: Kind): Promise<void> {
  if (kind === 'memory') {
    await sleep(20);
    return;
  }
  await sleep(250);
  const deadline = Date.now() + 10_000;
  for (let quiet = 0, last = deliveriesSeen; quiet < 3 && Date.now() < deadline; ) {
    await sleep(50);
    quiet = deliveriesSeen === last ? quiet + 1 : 0;
    last = deliveriesSeen;
  }
}

/** Consumes a queue, keeping every delivery. */
async function collect(broker: Broker, queue: string, prefetch = 0) {
  const deliveries: Delivery[] = [];
  const handle = await broker.consume(
    queue,
    (d) => {
      deliveriesSeen++;
      deliveries.push(d);
    },
    { prefetch, noAck: prefetch === 0 },
  );
  return { deliveries, handle, bodies: () => deliveries.map((d) => d.message.content.toString()) };
}

/** What a consumer can observe of a message, without the per-connection tags and the death time. */
function observed(delivery: Delivery) {
  const { fields, properties } = delivery.message;
  const headers: Record<string, unknown> = { ...(properties.headers ?? {}) };
  if (Array.isArray(headers['x-death'])) {
    headers['x-death'] = (headers['x-death'] as Array<Record<string, unknown>>).map(({ time, ...rest }) => ({ ...rest, time: typeof time }));
  }
  return {
    body: delivery.message.content.toString(),
    fields: { exchange: fields.exchange, routingKey: fields.routingKey, redelivered: fields.redelivered },
    properties: { ...properties, headers },
  };
}

const scenarios: Record<string, (kind: Kind, open: () => Broker) => Promise<unknown>> = {
  async routing(kind, open) {
    const broker = open();
    await broker.declare({
      exchanges: [
        { name: `${P}.direct`, type: 'direct', durable: false },
        { name: `${P}.topic`, type: 'topic', durable: false },
        { name: `${P}.fanout`, type: 'fanout', durable: false },
        { name: `${P}.headers`, type: 'headers', durable: false },
      ],
      queues: ['direct', 'topic.a', 'topic.b', 'fanout', 'headers'].map((q) => ({ name: `${P}.${q}`, durable: false })),
      bindings: [
        { queue: `${P}.direct`, exchange: `${P}.direct`, routingKey: 'red' },
        { queue: `${P}.topic.a`, exchange: `${P}.topic`, routingKey: 'order.*.submit' },
        { queue: `${P}.topic.a`, exchange: `${P}.topic`, routingKey: '*.v1.#' },
        { queue: `${P}.topic.b`, exchange: `${P}.topic`, routingKey: '#.chargeback' },
        { queue: `${P}.topic.b`, exchange: `${P}.topic`, routingKey: '#' },
        { queue: `${P}.fanout`, exchange: `${P}.fanout`, routingKey: 'whatever' },
        { queue: `${P}.headers`, exchange: `${P}.headers`, routingKey: '', arguments: { 'x-match': 'any', kind: 'pdf', size: 'big' } },
      ],
    });
    const keys = ['red', 'blue', 'order.v1.submit', 'order.v2.submit', 'order.v1.chargeback', 'order', '', 'billing.v1', 'order.v1.x.submit'];
    for (const key of keys) {
      for (const exchange of ['direct', 'topic', 'fanout']) await broker.publish(`${P}.${exchange}`, key, text(`${exchange}:${key}`), {});
    }
    await broker.publish(`${P}.headers`, '', text('h1'), { headers: { kind: 'pdf' } });
    await broker.publish(`${P}.headers`, '', text('h2'), { headers: { kind: 'doc', size: 'small' } });
    await broker.publish(`${P}.headers`, '', text('h3'), { headers: { size: 'big', other: 1 } });
    await broker.publish('', `${P}.direct`, text('default-exchange'), {});
    const trace: Record<string, string[]> = {};
    for (const queue of ['direct', 'topic.a', 'topic.b', 'fanout', 'headers']) {
      const consumer = await collect(broker, `${P}.${queue}`);
      await settle(kind);
      trace[queue] = consumer.bodies();
      await consumer.handle.cancel();
    }
    return trace;
  },

  async shape(kind, open) {
    const broker = open();
    await broker.declare({ queues: [{ name: `${P}.shape`, durable: false }] });
    await broker.publish('', `${P}.shape`, text('[[1, 2], {}, {}]'), {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      correlationId: 'c-1',
      replyTo: 'r-1',
      deliveryMode: 2,
      priority: 0,
      messageId: 'm-1',
      expiration: '60000',
      type: 't',
      appId: 'a',
      headers: { task: 'add', retries: 0, big: 2 ** 40, neg: -5, float: 1.5, flag: true, none: null, list: [1, 'two', { three: 3 }], nested: { a: 'é' } },
    });
    await broker.publish('', `${P}.shape`, text('bare'), {});
    const consumer = await collect(broker, `${P}.shape`, 5);
    await settle(kind);
    for (const d of consumer.deliveries) d.ack();
    return consumer.deliveries.map(observed);
  },

  async competingConsumers(kind, open) {
    const a = open();
    const b = open();
    await a.declare({ queues: [{ name: `${P}.work`, durable: false }] });
    await b.declare({ queues: [{ name: `${P}.work`, durable: false }] });
    const first = await collect(a, `${P}.work`, 2);
    await settle(kind);
    const second = await collect(b, `${P}.work`, 2);
    await settle(kind);
    for (let i = 0; i < 6; i++) await a.publish('', `${P}.work`, text(String(i)), {});
    await settle(kind);
    const before = [first.bodies().length, second.bodies().length];
    first.deliveries[0]!.ack();
    await settle(kind);
    const after = [first.bodies().length, second.bodies().length];
    for (const d of [...first.deliveries.slice(1), ...second.deliveries]) d.ack();
    await settle(kind);
    return { before, after, total: first.bodies().length + second.bodies().length };
  },

  async requeue(kind, open) {
    const broker = open();
    await broker.declare({ queues: [{ name: `${P}.requeue`, durable: false }] });
    for (const body of ['a', 'b', 'c']) await broker.publish('', `${P}.requeue`, text(body), {});
    const seen: Array<[string, boolean]> = [];
    let rejected = false;
    await broker.consume(
      `${P}.requeue`,
      (d) => {
        deliveriesSeen++;
        seen.push([d.message.content.toString(), d.message.fields.redelivered]);
        if (!rejected && d.message.content.toString() === 'a') {
          rejected = true;
          d.reject(true);
        } else d.ack();
      },
      { prefetch: 1 },
    );
    // a, a again (redelivered), b, c: waited for, since a loaded machine can pause longer than settle's quiet time
    for (const deadline = Date.now() + 10_000; seen.length < 4 && Date.now() < deadline; ) await sleep(20);
    await settle(kind);
    // RabbitMQ puts a requeued message back "in its original position if possible": under load the
    // redelivered a came after b in one run of three. Compared: the first delivery, then the rest as a set.
    const [first, ...rest] = seen;
    return { first, rest: rest.map((entry) => entry.join(':')).sort() };
  },

  async deadLetters(kind, open) {
    const broker = open();
    await broker.declare({
      exchanges: [{ name: `${P}.dlx`, type: 'topic', durable: false }],
      queues: [
        { name: `${P}.dlq`, durable: false },
        { name: `${P}.reject`, durable: false, arguments: { 'x-dead-letter-exchange': `${P}.dlx` } },
        { name: `${P}.ttl`, durable: false, arguments: { 'x-dead-letter-exchange': `${P}.dlx`, 'x-dead-letter-routing-key': 'expired.ttl', 'x-message-ttl': 150 } },
      ],
      bindings: [{ queue: `${P}.dlq`, exchange: `${P}.dlx`, routingKey: '#' }],
    });
    await broker.publish('', `${P}.reject`, text('rejected'), { headers: { task: 'x' }, expiration: '60000', messageId: 'r' });
    const rejecter = await collect(broker, `${P}.reject`, 1);
    await settle(kind);
    await broker.publish('', `${P}.reject`, text('ttl-zero-no-room'), { messageId: 'z', expiration: '0' });
    await settle(kind);
    rejecter.deliveries[0]!.reject(false);
    await settle(kind);
    await broker.publish('', `${P}.reject`, text('ttl-zero-taken'), { messageId: 't', expiration: '0' });
    await settle(kind);
    for (const d of rejecter.deliveries.slice(1)) d.ack();
    await broker.publish('', `${P}.ttl`, text('queue-ttl'), { messageId: 'q' });
    await broker.publish('', `${P}.ttl`, text('message-ttl'), { messageId: 'm', expiration: '50' });
    await sleep(400);
    const dead = await collect(broker, `${P}.dlq`, 10);
    await settle(kind);
    for (const d of dead.deliveries) d.ack();
    return { delivered: rejecter.bodies(), dead: dead.deliveries.map(observed).sort((x, y) => x.body.localeCompare(y.body)) };
  },

  async priority(kind, open) {
    const broker = open();
    await broker.declare({ queues: [{ name: `${P}.prio`, durable: false, arguments: { 'x-max-priority': 5 } }] });
    for (const [body, priority] of [['p1', 1], ['none', undefined], ['p9', 9], ['p4', 4], ['p5', 5]] as const) {
      await broker.publish('', `${P}.prio`, text(body), { priority });
    }
    const consumer = await collect(broker, `${P}.prio`, 1);
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      await settle(kind);
      const next = consumer.deliveries[i];
      if (!next) break;
      order.push(next.message.content.toString());
      next.ack();
    }
    return order;
  },

  /** `setPrefetch` on a running consumer widens its window at once (how ServerCelery makes room beside held ETA tasks). */
  async prefetchRaise(kind, open) {
    const broker = open();
    await broker.declare({ queues: [{ name: `${P}.prefetch`, durable: false }] });
    for (const body of ['1', '2', '3', '4', '5']) await broker.publish('', `${P}.prefetch`, text(body), {});
    const consumer = await collect(broker, `${P}.prefetch`, 1);
    await settle(kind);
    const atOne = consumer.bodies();
    await consumer.handle.setPrefetch(3);
    await settle(kind);
    const raisedToThree = consumer.bodies();
    for (const d of consumer.deliveries) d.ack();
    await settle(kind);
    const afterAcks = consumer.bodies();
    for (const d of consumer.deliveries.slice(raisedToThree.length)) d.ack();
    return { atOne, raisedToThree, afterAcks };
  },

  async mismatch(_kind, open) {
    const first = open();
    await first.declare({ queues: [{ name: `${P}.mismatch`, durable: false, arguments: { 'x-max-priority': 10 } }] });
    const second = open();
    const error = await second.declare({ queues: [{ name: `${P}.mismatch`, durable: false }] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const same = await second.declare({ queues: [{ name: `${P}.mismatch`, durable: false, arguments: { 'x-max-priority': 10 } }] }).then(
      () => 'ok',
      (e: unknown) => (e as Error).name,
    );
    return { refused: error instanceof TopologyMismatchError, inequivalent: /inequivalent arg 'x-max-priority'/.test(String((error as Error)?.message)), same };
  },
};

describe('MemoryBroker behaves like RabbitMQ (same scenario, same observations)', () => {
  const cleanup = async () => {
    await deleteQueues(BROKER_URL, ...QUEUES);
    await deleteExchanges(BROKER_URL, ...EXCHANGES);
  };
  beforeAll(cleanup);
  afterAll(cleanup);

  it.each(Object.keys(scenarios))('%s', async (name) => {
    const traces: Partial<Record<Kind, unknown>> = {};
    for (const kind of ['rabbitmq', 'memory'] as const) {
      await cleanup();
      const { open, closeAll } = connections(kind);
      try {
        traces[kind] = await scenarios[name]!(kind, open);
      } finally {
        await closeAll();
      }
    }
    expect(traces.memory).toEqual(traces.rabbitmq);
  });
});

/**
 * The same scenarios through `RedisBroker` where kombu's Redis transport can behave like RabbitMQ.
 * Left out by design (docs/redis-broker.md): fanout (PUBLISH/SUBSCRIBE keeps nothing for a
 * queue without a subscriber) and headers exchanges (kombu has none), topic `*` (kombu's matches
 * several words), priorities (kombu's four steps, 0 first), TTL and x-death, and declarations
 * checked across connections (kombu keeps them per process).
 */
describe('RedisBroker behaves like RabbitMQ where kombu can (same scenario, same observations)', () => {
  const cleanup = async () => {
    await deleteQueues(BROKER_URL, ...QUEUES);
    await deleteExchanges(BROKER_URL, ...EXCHANGES);
  };
  afterAll(cleanup);

  it.each(['shape', 'competingConsumers', 'requeue', 'prefetchRaise'])('%s', async (name) => {
    const traces: Partial<Record<Kind, unknown>> = {};
    for (const kind of ['rabbitmq', 'redis'] as const) {
      await cleanup();
      await flushRedisDb(REDIS_PARITY_URL);
      const { open, closeAll } = connections(kind);
      try {
        traces[kind] = await scenarios[name]!(kind, open);
      } finally {
        await closeAll();
      }
    }
    expect(traces.redis).toEqual(traces.rabbitmq);
  });
});
