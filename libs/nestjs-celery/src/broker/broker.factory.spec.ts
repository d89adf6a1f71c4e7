import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CeleryClient } from '../client/celery-client.js';
import { CeleryTask, TaskArg } from '../index.js';
import { ServerCelery } from '../server/server-celery.js';
import { AmqpBroker } from './amqp-broker.js';
import { createBroker } from './broker.factory.js';
import { MemoryBroker } from './memory/memory-broker.js';
import { RedisBroker } from './redis/redis-broker.js';
import { MemoryVhost } from './memory/memory-vhost.js';

@Controller()
class DoubleTasks {
  @CeleryTask('double', { params: ['x'] })
  double(@TaskArg(0) x: number): number {
    return 2 * x;
  }
}

describe('createBroker', () => {
  afterEach(() => MemoryVhost.resetShared());

  it('opens an AmqpBroker for amqp:// and amqps:// (not connected yet)', async () => {
    for (const url of ['amqp://guest:guest@127.0.0.1:5672//', 'amqps://host/vhost']) {
      const broker = createBroker({ url });
      expect(broker).toBeInstanceOf(AmqpBroker);
      expect(broker.status).toBe('connecting');
      await broker.close();
    }
  });

  it('memory://<vhost> brokers are connections to one shared vhost per name', async () => {
    const a = createBroker({ url: 'memory://demo' }) as MemoryBroker;
    const b = createBroker({ url: 'memory://demo/' }) as MemoryBroker;
    const other = createBroker({ url: 'memory://other' }) as MemoryBroker;
    expect(a).toBeInstanceOf(MemoryBroker);
    expect(a).not.toBe(b);
    expect(a.vhost).toBe(b.vhost);
    expect(a.vhost).toBe(MemoryVhost.shared('demo'));
    expect(other.vhost).not.toBe(a.vhost);
    expect((createBroker({ url: 'memory://' }) as MemoryBroker).vhost.name).toBe('default');
    MemoryVhost.resetShared('demo');
    expect((createBroker({ url: 'memory://demo' }) as MemoryBroker).vhost).not.toBe(a.vhost);
  });

  it('opens a RedisBroker for redis:// and rediss:// (not connected yet), transport options from the query', async () => {
    for (const url of ['redis://127.0.0.1:6379/2?visibility_timeout=5', 'rediss://host/1']) {
      const broker = createBroker({ url });
      expect(broker).toBeInstanceOf(RedisBroker);
      expect(broker.driverType).toBe('redis');
      expect(broker.status).toBe('connecting');
      await broker.close();
    }
  });

  it('refuses other URLs, naming the accepted schemes', () => {
    expect(() => createBroker({ url: 'kafka://localhost' })).toThrow(/amqp:\/\/, amqps:\/\/ .*redis:\/\/.* or memory:\/\/<vhost>/);
    expect(() => createBroker({ url: 'memory://a/b' })).toThrow(TypeError);
  });

  it('a worker and a client given brokerUrl memory://… find each other; closing the worker closes only its connection', async () => {
    const server = new ServerCelery({ brokerUrl: 'memory://factory-test', queues: ['math'] });
    const app = await NestFactory.createMicroservice({ module: class M {}, controllers: [DoubleTasks] }, { strategy: server, logger: false });
    await app.listen();
    const client = new CeleryClient({ brokerUrl: 'memory://factory-test', defaultQueue: 'math' });
    const result = await client.sendTask<number>('double', [21]);
    await expect(result.get({ timeout: 2000 })).resolves.toBe(42);
    await app.close();
    expect(server.unwrap<MemoryBroker>().status).toBe('closed');
    expect(MemoryVhost.shared('factory-test').inspectQueue('math')).toMatchObject({ consumers: 0 });
    await client.sendTask('double', [1], {}, { replyTo: null });
    expect(MemoryVhost.shared('factory-test').inspectQueue('math')).toMatchObject({ ready: 1 });
    await client.close();
  });

  it('a quorum default works on the memory broker: queues declared with x-queue-type, countdown tasks held as before', async () => {
    const server = new ServerCelery({ brokerUrl: 'memory://quorum-test', queues: ['math'], service: 'qm', queueType: 'quorum' });
    const app = await NestFactory.createMicroservice({ module: class M {}, controllers: [DoubleTasks] }, { strategy: server, logger: false });
    await app.listen();
    const client = new CeleryClient({ brokerUrl: 'memory://quorum-test', defaultQueue: 'math', queueType: 'quorum' });
    await expect((await client.sendTask<number>('double', [21])).get({ timeout: 2000 })).resolves.toBe(42);
    await expect((await client.sendTask<number>('double', [2], {}, { countdown: 1 })).get({ timeout: 5000 })).resolves.toBe(4);
    // Declared as quorum queues: a classic declaration is refused like RabbitMQ's 406, a quorum one accepted.
    const other = createBroker({ url: 'memory://quorum-test' });
    for (const queue of ['math', 'qm.dead-letter']) {
      await expect(other.declare({ queues: [{ name: queue, durable: true }] })).rejects.toThrow(/x-queue-type/);
      await other.declare({ queues: [{ name: queue, durable: true, arguments: { 'x-queue-type': 'quorum' } }] });
    }
    await other.close();
    await client.close();
    await app.close();
  });

  it('passes brokerConnection to the AmqpBroker and refuses a bad one', async () => {
    expect(() => createBroker({ url: 'amqp://h//', connection: { tls: { ca: 'x' } } })).toThrow(/needs amqps:\/\//);
    const broker = createBroker({ url: 'amqps://a//;amqps://b//', connection: { tls: { ca: 'x' }, failoverStrategy: 'shuffle' } });
    expect(broker).toBeInstanceOf(AmqpBroker);
    await broker.close();
  });
});
