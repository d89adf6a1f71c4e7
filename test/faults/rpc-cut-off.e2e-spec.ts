/**
 * Fault injection: the broker closes the connection (`rabbitmqctl close_connection`) while
 * declarations and consumer starts, each a run of amqplib RPCs, stream through one broker. An
 * RPC cut off half-way rejects in amqplib with a plain "Channel ended, no reply will be
 * forthcoming"; the caller must get BrokerUnavailableError instead (and may try again), and the
 * next operations work once the broker reconnects.
 */
import { randomUUID } from 'node:crypto';
import { AmqpBroker, BrokerUnavailableError, type Topology } from 'nestjs-celery';
import { eventually } from '../support/eventually.js';
import { faultVhost, type FaultVhost } from '../support/fault-vhost.js';
import { deleteQueues } from '../support/rabbitmq-admin.js';
import { closeConnections, rabbitmqctl } from '../support/rabbitmqctl.js';

const CONNECTION = 'faults-rpc-cut-off';
const ROUNDS = 3;
/** The queue the consumer loops start and cancel consumers on (not auto-deleted by their cancels). */
const CONSUMED = 'faults.rpc.consumed';
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** A queue bound to a topic exchange under 20 keys: 22 RPCs, so a cut lands inside one with ease. */
function boundQueue(name = `faults.rpc.${randomUUID()}`): Topology {
  return {
    exchanges: [{ name: 'faults.rpc', type: 'topic', durable: false }],
    queues: [{ name, durable: false, autoDelete: name !== CONSUMED }],
    bindings: Array.from({ length: 20 }, (_, i) => ({ queue: name, exchange: 'faults.rpc', routingKey: `k.${i}` })),
  };
}

describe('fault: amqplib RPCs cut off by a closed connection', () => {
  let vhost: FaultVhost;
  let broker: AmqpBroker;

  beforeAll(async () => {
    vhost = await faultVhost('rpc-cut-off');
    broker = new AmqpBroker({ url: vhost.url, connectionName: CONNECTION, logger: silent, connectTimeoutMs: 20_000 });
    await broker.connect();
  }, 60_000);

  afterAll(async () => {
    await broker.close();
    await deleteQueues(vhost.url, CONSUMED);
  });

  it('declarations and consumer starts cut off half-way reject with BrokerUnavailableError, and the next ones work', async () => {
    const failures: unknown[] = [];
    let succeeded = 0;
    let stop = false;
    const declaring = async () => {
      while (!stop) {
        await broker.declare(boundQueue()).then(() => succeeded++, (error: unknown) => failures.push(error));
      }
    };
    // one queue, declared once: these loops are consumer starts only (channel open, qos, consume)
    await broker.declare(boundQueue(CONSUMED));
    const consuming = async () => {
      while (!stop) {
        await broker
          .consume(CONSUMED, () => undefined, { prefetch: 1 })
          .then((handle) => handle.cancel())
          .then(() => succeeded++, (error: unknown) => failures.push(error));
      }
    };
    const loops = [declaring(), declaring(), consuming(), consuming()];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const before = succeeded;
        await eventually(() => succeeded > before + 20, 30_000, `operations before cut ${round + 1}`);
        await closeConnections(vhost.name, (name) => name === CONNECTION);
      }
      const before = succeeded;
      await eventually(() => succeeded > before + 20, 30_000, 'operations after the last cut');
    } finally {
      stop = true;
      await Promise.all(loops);
    }
    const untyped = failures.filter((error) => !(error instanceof BrokerUnavailableError));
    const texts = [...new Set(failures.map((error) => String(error)))];
    console.log(`rpc cut-off: ${succeeded} operations succeeded, ${failures.length} cut off (typed: ${failures.length - untyped.length}): ${texts.join(' | ')}`);
    expect(untyped.map((error) => String(error))).toEqual([]);
    // a consume that failed is not started again by a later reconnect: nobody could cancel it
    const consumers = async () => {
      const out = await rabbitmqctl(['list_queues', '-p', vhost.name, 'name', 'consumers']);
      return Number(out.split('\n').find((line) => line.startsWith(`${CONSUMED}\t`))?.split('\t')[1]);
    };
    await closeConnections(vhost.name, (name) => name === CONNECTION);
    await broker.declare(boundQueue());
    expect(await consumers()).toBe(0);
  }, 180_000);
});
