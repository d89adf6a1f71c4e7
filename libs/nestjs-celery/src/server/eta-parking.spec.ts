import { describe, expect, it, jest } from '@jest/globals';
import type { ConsumeMessage } from 'amqplib';
import type { Broker } from '../broker/broker.js';
import type { Delivery } from '../broker/delivery.js';
import { MemoryBroker } from '../broker/memory/memory-broker.js';
import { MemoryVhost } from '../broker/memory/memory-vhost.js';
import { EtaParking, etaParkingQueueName } from './eta-parking.js';

function delivery(headers: Record<string, unknown>): Delivery & { acked: number; rejected: number } {
  const message = {
    content: Buffer.from('[[],{},{}]'),
    fields: { exchange: '', routingKey: 'q', redelivered: false, deliveryTag: 1, consumerTag: 'c' },
    properties: { contentType: 'application/json', deliveryMode: 2, correlationId: 'id-1', headers },
  } as unknown as ConsumeMessage;
  const d = {
    message,
    acked: 0,
    rejected: 0,
    ack: () => void d.acked++,
    reject: () => void d.rejected++,
  };
  return d;
}

function logger() {
  return { log: jest.fn(), error: jest.fn(), warn: jest.fn() };
}

describe('EtaParking', () => {
  it('parks only tasks due later than the hold limit', () => {
    const parking = new EtaParking({} as Broker, 60_000, logger());
    const now = Date.now();
    expect(parking.shouldPark(new Date(now + 60_001), now)).toBe(true);
    expect(parking.shouldPark(new Date(now + 60_000), now)).toBe(false);
  });

  it('copies the message to a TTL queue that dead-letters back, acks only after, and the copy returns after the TTL', async () => {
    const broker = new MemoryBroker({ vhost: new MemoryVhost() });
    await broker.connect();
    await broker.declare({ queues: [{ name: 'q', durable: true }] });
    const parking = new EtaParking(broker, 50, logger());
    const d = delivery({ task: 't', id: 'id-1', eta: '2030-01-01T00:00:00+00:00', 'x-death': [{ queue: 'q.eta-parking', count: 1 }] });
    await expect(parking.park('q', d)).resolves.toBe(true);
    expect(d.acked).toBe(1);
    const back = await new Promise<ConsumeMessage>((resolve) => {
      void broker.consume('q', (returned) => {
        returned.ack();
        resolve(returned.message);
      }, { prefetch: 1 });
    });
    expect(back.content.toString()).toBe('[[],{},{}]');
    expect(back.properties).toMatchObject({ correlationId: 'id-1', deliveryMode: 2 });
    expect(back.properties.headers).toMatchObject({ task: 't', id: 'id-1', eta: '2030-01-01T00:00:00+00:00' });
    // one x-death entry, written by the dead-lettering of this round
    expect((back.properties.headers!['x-death'] as Array<{ queue: string }>).map((x) => x.queue)).toEqual([etaParkingQueueName('q')]);
    await broker.close();
  });

  it('leaves the delivery alone and says so once when parking fails, then stops trying for that queue', async () => {
    const declare = jest.fn(async () => {
      throw new Error("PRECONDITION_FAILED - inequivalent arg 'x-message-ttl'");
    });
    const log = logger();
    const parking = new EtaParking({ declare } as unknown as Broker, 1000, log);
    const first = delivery({});
    const second = delivery({});
    await expect(parking.park('q', first)).resolves.toBe(false);
    await expect(parking.park('q', second)).resolves.toBe(false);
    expect([first.acked, first.rejected, second.acked, second.rejected]).toEqual([0, 0, 0, 0]);
    expect(declare).toHaveBeenCalledTimes(1);
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0]![0]).toContain("cannot park ETA tasks in 'q.eta-parking' (PRECONDITION_FAILED");
  });
});
