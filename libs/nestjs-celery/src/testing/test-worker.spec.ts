import { describe, expect, it } from '@jest/globals';
import { Controller, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CeleryClient } from '../client/celery-client.js';
import { CeleryTask, TaskArg } from '../index.js';
import { CeleryModule } from '../module/celery.module.js';
import { callTask, createMemoryBroker, createTestClient, startTestWorker } from './index.js';

@Injectable()
class Greeter {
  greet(name: string): string {
    return `hello ${name}`;
  }
}

@Controller()
class GreetingTasks {
  constructor(private readonly greeter: Greeter) {}

  @CeleryTask('greet', { params: ['name'] })
  greet(@TaskArg(0) name: string): string {
    return this.greeter.greet(name);
  }
}

@Module({ controllers: [GreetingTasks], providers: [Greeter] })
class GreetingModule {}

/** A task that calls another task through the CeleryClient injected by CeleryModule on the same memory broker. */
@Controller()
class RelayTasks {
  constructor(private readonly celery: CeleryClient) {}

  @CeleryTask('relay', { params: ['name'] })
  async relay(@TaskArg(0) name: string): Promise<string> {
    return `${await (await this.celery.sendTask<string>('greet', [name])).get({ timeout: 2000 })}!`;
  }
}

describe('startTestWorker', () => {
  it('boots a module class on its own memory broker and closes that broker with the worker', async () => {
    const worker = await startTestWorker(GreetingModule);
    const client = await createTestClient(worker.broker);
    await expect(callTask(client, 'greet', ['ada'])).resolves.toBe('hello ada');
    await client.close();
    await worker.close();
    expect(worker.broker.status).toBe('closed');
  });

  it('boots module metadata on a given broker and leaves that broker open', async () => {
    const broker = createMemoryBroker();
    const worker = await startTestWorker({ controllers: [GreetingTasks], providers: [Greeter] }, { broker, serverOptions: { queues: ['greetings'] } });
    const client = await createTestClient(broker, { defaultQueue: 'greetings' });
    await expect(callTask(client, 'greet', ['bob'])).resolves.toBe('hello bob');
    await worker.close();
    expect(broker.status).toBe('connected');
    expect(broker.vhost.inspectQueue('greetings')).toMatchObject({ consumers: 0 });
    await client.close();
    await broker.close();
  });

  it('boots a TestingModule with overridden providers', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [GreetingModule] })
      .overrideProvider(Greeter)
      .useValue({ greet: (name: string) => `stubbed ${name}` })
      .compile();
    const worker = await startTestWorker(moduleRef);
    const client = await createTestClient(worker.broker);
    await expect(callTask(client, 'greet', ['eve'])).resolves.toBe('stubbed eve');
    await client.close();
    await worker.close();
  });

  it('works with CeleryModule.forRoot({ broker }) for handlers that call other tasks', async () => {
    const broker = createMemoryBroker();
    const worker = await startTestWorker(
      { imports: [CeleryModule.forRoot({ broker })], controllers: [RelayTasks, GreetingTasks], providers: [Greeter] },
      { broker },
    );
    const client = await createTestClient(broker);
    await expect(callTask(client, 'relay', ['joe'])).resolves.toBe('hello joe!');
    await client.close();
    await worker.close();
    expect(broker.status).toBe('connected');
    await broker.close();
  });

  it('a worker that cannot start rejects and cleans up', async () => {
    const broker = createMemoryBroker();
    await broker.declare({ queues: [{ name: 'celery', durable: false }] });
    const other = createMemoryBroker({ vhost: broker.vhost });
    await expect(startTestWorker(GreetingModule, { broker: other })).rejects.toThrow(/inequivalent arg 'durable'/);
    await other.close();
    await broker.close();
  });
});
