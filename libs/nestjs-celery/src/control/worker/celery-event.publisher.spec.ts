import { describe, expect, it } from '@jest/globals';
import type { Options } from 'amqplib';
import type { Topology } from '../../broker/topology.js';
import { CeleryEventPublisher } from './celery-event.publisher.js';
import { LamportClock } from '../lamport-clock.js';

/** Records declarations and unconfirmed publishes. */
class RecordingEventBroker {
  readonly declared: Topology[] = [];
  readonly published: Array<{ exchange: string; routingKey: string; body: Record<string, unknown>; options: Options.Publish }> = [];
  async declare(topology: Topology): Promise<void> {
    this.declared.push(topology);
  }
  publishUnconfirmed(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): void {
    this.published.push({ exchange, routingKey, body: JSON.parse(content.toString()) as Record<string, unknown>, options });
  }
}

describe('CeleryEventPublisher (EventDispatcher.publish)', () => {
  it('declares celeryev as a durable topic exchange and publishes with the standard fields', async () => {
    const broker = new RecordingEventBroker();
    const clock = new LamportClock();
    clock.adjust(9);
    const publisher = new CeleryEventPublisher('nest1@vm', clock);
    publisher.send('worker-online', { freq: 2 });
    expect(broker.published).toEqual([]);

    await publisher.start(broker);
    expect(broker.declared).toEqual([{ exchanges: [{ name: 'celeryev', type: 'topic', durable: true }] }]);
    const before = Date.now() / 1000;
    publisher.send('task-started', { uuid: 'u1' });
    const [message] = broker.published;
    expect(message).toEqual({
      exchange: 'celeryev',
      routingKey: 'task.started',
      body: { hostname: 'nest1@vm', utcoffset: expect.any(Number), pid: process.pid, clock: 11, uuid: 'u1', timestamp: expect.any(Number), type: 'task-started' },
      options: { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 1, headers: { hostname: 'nest1@vm' } },
    });
    expect(message!.body.timestamp).toBeGreaterThanOrEqual(before);
    expect(message!.body.timestamp).not.toBe(Math.floor(message!.body.timestamp as number));
    expect(clock.value).toBe(11);

    publisher.stop();
    publisher.send('task-started', { uuid: 'u2' });
    expect(broker.published).toHaveLength(1);
  });
});
