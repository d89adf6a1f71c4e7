import {
  AmqpBroker,
  BrokerUnavailableError,
  celeryQueueTopology,
  InvalidCeleryOptionError,
  ServerCelery,
  TopologyMismatchError,
} from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import { runPython } from './support/python.js';
import { deleteExchanges, deleteQueues } from './support/rabbitmq-admin.js';

const PY_QUEUE = 'topology.shared-with-python';
const PRIORITY_QUEUE = 'topology.priority';

/** Topology is declared idempotently, identically to Celery, and conflicts fail fast with a clear error. */
describe('broker topology and lifecycle', () => {
  const brokers: AmqpBroker[] = [];
  const broker = () => {
    const created = new AmqpBroker({ url: BROKER_URL, connectTimeoutMs: 5000 });
    brokers.push(created);
    return created;
  };

  beforeAll(() => deleteQueues(BROKER_URL, PY_QUEUE, PRIORITY_QUEUE));
  afterAll(async () => {
    await Promise.all(brokers.map((b) => b.close()));
    await deleteQueues(BROKER_URL, PY_QUEUE, PRIORITY_QUEUE, `${PRIORITY_QUEUE}.other`);
    await deleteExchanges(BROKER_URL, PY_QUEUE, PRIORITY_QUEUE);
  });

  it('declares a queue exactly as Python Celery does, in either order, without 406', async () => {
    await runPython('topology_declare.py', { queue: PY_QUEUE });
    const ours = broker();
    await expect(ours.declare(celeryQueueTopology(PY_QUEUE))).resolves.toBeUndefined();
    await runPython('topology_declare.py', { queue: PY_QUEUE }); // and Python again after us
  });

  it('a queue existing with other arguments fails with TopologyMismatchError, and the broker keeps working', async () => {
    const first = broker();
    await first.declare(celeryQueueTopology(PRIORITY_QUEUE, { arguments: { 'x-max-priority': 10 } }));
    const second = broker();
    const started = Date.now();
    const error = await second.declare(celeryQueueTopology(PRIORITY_QUEUE)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TopologyMismatchError);
    expect((error as Error).message).toMatch(/PRECONDITION_FAILED|inequivalent arg/);
    expect(Date.now() - started).toBeLessThan(3000);
    // the same connection still publishes and declares
    await expect(second.publish('', PRIORITY_QUEUE, Buffer.from('[]'), { contentType: 'application/json' })).resolves.toBeUndefined();
    await expect(second.declare({ queues: [{ name: `${PRIORITY_QUEUE}.other`, durable: false, autoDelete: true }] })).resolves.toBeUndefined();
  });

  it('declaring one name twice with other attributes in one process fails locally', async () => {
    const b = broker();
    await b.declare(celeryQueueTopology(PY_QUEUE));
    await expect(b.declare(celeryQueueTopology(PY_QUEUE, { arguments: { 'x-max-priority': 5 } }))).rejects.toThrow(
      TopologyMismatchError,
    );
  });

  it('an unreachable broker gives BrokerUnavailableError after the connect timeout, not a hang', async () => {
    const unreachable = new AmqpBroker({ url: 'amqp://guest:guest@127.0.0.1:5999//', connectTimeoutMs: 700 });
    brokers.push(unreachable);
    const started = Date.now();
    await expect(unreachable.connect()).rejects.toThrow(BrokerUnavailableError);
    expect(Date.now() - started).toBeLessThan(3000);
    await unreachable.close();
    await unreachable.close(); // idempotent
  });

  it('ServerCelery validates options, and unwrap() throws before listen()', async () => {
    expect(() => new ServerCelery({ concurrency: 0 })).toThrow(InvalidCeleryOptionError);
    expect(() => new ServerCelery({ concurrency: 0 })).toThrow(/concurrency/);
    expect(() => new ServerCelery({ queues: [] })).toThrow(/queues/);
    const server = new ServerCelery({ brokerUrl: BROKER_URL });
    expect(() => server.unwrap()).toThrow(/listen/);
    await server.close();
    await server.close();
  });
});
