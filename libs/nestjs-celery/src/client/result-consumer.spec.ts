import { describe, expect, it } from '@jest/globals';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LoggerService } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import type { Broker, ConsumeOptions, ConsumerHandle } from '../broker/broker.js';
import type { Delivery } from '../broker/delivery.js';
import { rpcReplyQueue, type Topology } from '../broker/topology.js';
import { encodeResultMessage, type ResultMessage } from '../protocol/result-message.js';
import { AsyncResult } from './async-result.js';
import { ResultConsumer } from './result-consumer.js';

/** Records declarations and consumers; `deliver` plays a reply arriving on the queue. */
class FakeBroker {
  readonly declared: Topology[] = [];
  readonly consumers: Array<{ queue: string; onDelivery: (delivery: Delivery) => void; options: ConsumeOptions }> = [];
  cancelled = 0;
  failDeclare = false;
  async declare(topology: Topology): Promise<void> {
    if (this.failDeclare) throw new Error('broker down');
    this.declared.push(topology);
  }
  async consume(queue: string, onDelivery: (delivery: Delivery) => void, options: ConsumeOptions): Promise<ConsumerHandle> {
    this.consumers.push({ queue, onDelivery, options });
    return { queue, setPrefetch: async () => undefined, cancel: async () => void this.cancelled++ };
  }
  deliver(content: Buffer | string, correlationId?: string): void {
    const message = {
      content: typeof content === 'string' ? Buffer.from(content) : content,
      fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: this.consumers[0]!.queue, consumerTag: 'c' },
      properties: { correlationId, contentType: 'application/json' },
    } as unknown as ConsumeMessage;
    this.consumers[0]!.onDelivery({ message, ack: () => undefined, reject: () => undefined });
  }
}

class FakeLogger implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  error(): void {}
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
}

const reply = (taskId: string, status: string, result: unknown = null): Buffer =>
  encodeResultMessage({ task_id: taskId, status, result, traceback: null, children: [] } as ResultMessage);

async function setup(options: { queue?: string; expiresMs?: number } = {}) {
  const broker = new FakeBroker();
  const logger = new FakeLogger();
  const consumer = new ResultConsumer(broker as unknown as Broker, { ...options, logger });
  await consumer.start();
  return { broker, logger, consumer };
}

describe('ResultConsumer.start', () => {
  it('declares the rpc reply queue and consumes it once, without acks', async () => {
    const { broker, consumer } = await setup({ queue: 'reply-q' });
    await consumer.start();
    expect(consumer.queue).toBe('reply-q');
    expect(broker.declared).toEqual([{ queues: [rpcReplyQueue('reply-q', 86_400_000)] }]);
    expect(broker.declared[0]!.queues![0]).toMatchObject({ durable: false, autoDelete: true, arguments: { 'x-expires': 86_400_000 } });
    expect(broker.consumers).toHaveLength(1);
    expect(broker.consumers[0]!.queue).toBe('reply-q');
    expect(broker.consumers[0]!.options).toEqual({ prefetch: 0, noAck: true });
  });

  it('names its queue with a uuid by default and uses the given expiry', async () => {
    const { broker, consumer } = await setup({ expiresMs: 1000 });
    expect(consumer.queue).toMatch(/^[0-9a-f-]{36}$/);
    expect(broker.declared[0]!.queues![0]!.arguments).toEqual({ 'x-expires': 1000 });
  });

  it('can start again after a failed start', async () => {
    const broker = new FakeBroker();
    broker.failDeclare = true;
    const consumer = new ResultConsumer(broker as unknown as Broker, { queue: 'q', logger: new FakeLogger() });
    await expect(consumer.start()).rejects.toThrow('broker down');
    broker.failDeclare = false;
    await consumer.start();
    expect(broker.consumers).toHaveLength(1);
  });

  it('stop() cancels the consumer once', async () => {
    const { broker, consumer } = await setup();
    await consumer.stop();
    await consumer.stop();
    expect(broker.cancelled).toBe(1);
  });
});

describe('ResultConsumer replies', () => {
  it('completes the tracked result whose task_id matches the body, whatever the correlation id', async () => {
    const { broker, consumer } = await setup();
    const a = consumer.track(new AsyncResult<number>('id-a'));
    const b = consumer.track(new AsyncResult<number>('id-b'));
    broker.deliver(reply('id-b', 'STARTED', { pid: 1, hostname: 'w' }), 'id-a');
    expect(a.state).toBe('PENDING');
    expect(b.state).toBe('STARTED');
    broker.deliver(reply('id-b', 'SUCCESS', 2), 'unrelated');
    broker.deliver(reply('id-a', 'SUCCESS', 1));
    await expect(Promise.all([a.get(), b.get()])).resolves.toEqual([1, 2]);
  });

  it('track() returns the same object', async () => {
    const { consumer } = await setup();
    const result = new AsyncResult('x');
    expect(consumer.track(result)).toBe(result);
  });

  it('keeps replies nobody waits for, and track() claims them later', async () => {
    const { broker, consumer } = await setup();
    broker.deliver(reply('late', 'SUCCESS', 42));
    const result = consumer.track(new AsyncResult<number>('late'));
    expect(result.state).toBe('SUCCESS');
    await expect(result.get()).resolves.toBe(42);
    // claimed once: a second handle does not see it again
    expect(consumer.track(new AsyncResult('late')).state).toBe('PENDING');
  });

  it('claims a non-ready unclaimed reply and keeps waiting for the rest', async () => {
    const { broker, consumer } = await setup();
    broker.deliver(reply('t', 'STARTED'));
    const result = consumer.track(new AsyncResult<string>('t'));
    expect(result.state).toBe('STARTED');
    const value = result.get();
    broker.deliver(reply('t', 'SUCCESS', 'ok'));
    await expect(value).resolves.toBe('ok');
  });

  it('lets a later ready reply replace an unclaimed non-ready one, but not the reverse', async () => {
    const { broker, consumer } = await setup();
    broker.deliver(reply('t1', 'STARTED'));
    broker.deliver(reply('t1', 'SUCCESS', 1));
    expect(consumer.track(new AsyncResult('t1')).state).toBe('SUCCESS');
    broker.deliver(reply('t2', 'FAILURE', { exc_type: 'ValueError', exc_message: [], exc_module: 'builtins' }));
    broker.deliver(reply('t2', 'STARTED'));
    expect(consumer.track(new AsyncResult('t2')).state).toBe('FAILURE');
  });

  it('keeps at most 1000 unclaimed replies, dropping the oldest', async () => {
    const { broker, consumer } = await setup();
    for (let i = 0; i <= 1000; i++) broker.deliver(reply(`u${i}`, 'SUCCESS', i));
    expect(consumer.track(new AsyncResult('u0')).state).toBe('PENDING');
    expect(consumer.track(new AsyncResult('u1')).state).toBe('SUCCESS');
    expect(consumer.track(new AsyncResult('u1000')).state).toBe('SUCCESS');
  });

  it('ignores malformed replies (with a warning) and keeps consuming', async () => {
    const { broker, logger, consumer } = await setup({ queue: 'rq' });
    const result = consumer.track(new AsyncResult<number>('good'));
    broker.deliver('not json');
    broker.deliver('[1, 2]');
    broker.deliver(JSON.stringify({ status: 'SUCCESS', result: 1 }));
    broker.deliver(JSON.stringify({ task_id: 'good', result: 1 }));
    broker.deliver(JSON.stringify({ task_id: 7, status: 'SUCCESS' }));
    expect(result.state).toBe('PENDING');
    expect(logger.warnings).toHaveLength(5);
    expect(logger.warnings[0]).toContain('rq');
    broker.deliver(JSON.stringify({ task_id: 'good', status: 'SUCCESS', result: 3 }));
    await expect(result.get()).resolves.toBe(3);
  });

  it('completes every handle waiting for the same id (sendTask result and asyncResult(id))', async () => {
    const { broker, consumer } = await setup();
    const sent = consumer.track(new AsyncResult<number>('same'));
    const lookedUp = consumer.track(new AsyncResult<number>('same'));
    broker.deliver(reply('same', 'STARTED'));
    expect([sent.state, lookedUp.state]).toEqual(['STARTED', 'STARTED']);
    broker.deliver(reply('same', 'SUCCESS', 9));
    await expect(Promise.all([sent.get(), lookedUp.get()])).resolves.toEqual([9, 9]);
  });

  it('tracking the same handle twice does not deliver twice', async () => {
    const { broker, consumer } = await setup();
    const result = new AsyncResult('twice');
    consumer.track(result);
    consumer.track(result);
    const seen: string[] = [];
    const done = result.get({ onMessage: (m) => seen.push(m.status) });
    broker.deliver(reply('twice', 'SUCCESS', 1));
    await done;
    expect(seen).toEqual(['SUCCESS']);
  });

  it('forgets a handle the caller dropped: a later reply is kept for asyncResult(id)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { broker, consumer } = await setup();
    (() => void consumer.track(new AsyncResult('dropped')))();
    // finalizers run when V8 gets to them: up to ~2 s on a loaded machine
    for (let attempt = 0; attempt < 200; attempt++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
      broker.deliver(reply('dropped', 'STARTED'));
      if (consumer.track(new AsyncResult('dropped')).state === 'STARTED') return;
    }
    throw new Error('the dropped handle was never forgotten');
  });

  it('stashes replies arriving after a tracked result completed', async () => {
    const { broker, consumer } = await setup();
    const first = consumer.track(new AsyncResult('done'));
    broker.deliver(reply('done', 'SUCCESS', 1));
    expect(first.state).toBe('SUCCESS');
    // a retried/duplicated reply after completion no longer goes to the finished handle
    broker.deliver(reply('done', 'FAILURE'));
    expect(first.state).toBe('SUCCESS');
    expect(consumer.track(new AsyncResult('done')).state).toBe('FAILURE');
  });
});
