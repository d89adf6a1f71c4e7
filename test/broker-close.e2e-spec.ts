/**
 * `AmqpBroker.close()` right after the last acks and rpc replies delivers them: nothing requeued,
 * no reply lost. (A connection close written while amqplib still held frames of other channels
 * overtook them, and RabbitMQ drops what arrives after a connection close.)
 */
import { AmqpBroker, type Delivery } from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import { deleteQueues, queueDepth } from './support/rabbitmq-admin.js';

const WORK = 'broker-close.work';
const REPLIES = 'broker-close.replies';
const MESSAGES = 400;

beforeAll(() => deleteQueues(BROKER_URL, WORK, REPLIES));
afterAll(() => deleteQueues(BROKER_URL, WORK, REPLIES));

it(`close() right after ${MESSAGES} acks and unconfirmed replies in one tick sends them all first`, async () => {
  const producer = new AmqpBroker({ url: BROKER_URL, connectionName: 'broker-close producer' });
  await producer.declare({ queues: [{ name: WORK, durable: true }, { name: REPLIES, durable: true }] });
  await Promise.all(Array.from({ length: MESSAGES }, (_, i) => producer.publish('', WORK, Buffer.from(String(i)), {})));
  await producer.close();

  const worker = new AmqpBroker({ url: BROKER_URL, connectionName: 'broker-close worker' });
  const held: Delivery[] = [];
  let allHeld!: () => void;
  const full = new Promise<void>((resolve) => (allHeld = resolve));
  await worker.consume(
    WORK,
    (delivery) => {
      if (held.push(delivery) === MESSAGES) allHeld();
    },
    { prefetch: MESSAGES },
  );
  await full;
  // Settle everything and close in the same tick, as a worker does after its last task.
  for (const delivery of held) {
    worker.publishUnconfirmed('', REPLIES, delivery.message.content, {});
    delivery.ack();
  }
  await worker.close();

  expect({ requeued: await queueDepth(BROKER_URL, WORK), replies: await queueDepth(BROKER_URL, REPLIES) }).toEqual({
    requeued: 0,
    replies: MESSAGES,
  });
});
