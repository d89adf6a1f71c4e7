import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Controller, Inject, Injectable, Module } from '@nestjs/common';
import { ClientsModule, Payload, type ClientProxy } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { MemoryBroker } from '../broker/memory/memory-broker.js';
import { MemoryVhost } from '../broker/memory/memory-vhost.js';
import { CeleryEvent } from '../decorators/celery-event.decorator.js';
import { CeleryTask } from '../decorators/celery-task.decorator.js';
import { InvalidEventError } from '../events/event.errors.js';
import { CeleryRemoteError } from '../protocol/celery-remote.error.js';
import type { CeleryTaskPayload } from '../server/task-arguments.binder.js';
import { awaitPublished, decodePublishedTask } from '../testing/published-message.waiter.js';
import { startTestWorker, type TestWorker } from '../testing/test-worker.js';
import { CeleryClient } from './celery-client.js';
import { CeleryClientProxy } from './celery-client.proxy.js';
import { celeryCall } from './celery-call.js';
import { CeleryTimeoutError } from './client.errors.js';
import { CeleryInvalidCallError } from '../producer/producer.errors.js';

@CeleryEvent({ exchange: 'proxyspec', routingKey: 'proxyspec.v1.done' })
class ProxyDone {
  @IsString()
  id!: string;
}

/** Echoes what the worker received, so each data shape's mapping is visible in the result. */
@Controller()
class EchoTasks {
  @CeleryTask('proxy.echo')
  echo(@Payload() payload: CeleryTaskPayload): { args: unknown[]; kwargs: Record<string, unknown> } {
    return { args: payload.args, kwargs: payload.kwargs };
  }

  @CeleryTask('proxy.fail')
  fail(): never {
    throw new RangeError('out of range');
  }

  @CeleryTask('proxy.slow')
  async slow(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return 'late';
  }
}

class Dto {
  constructor(readonly x: number) {}
}

describe('CeleryClientProxy', () => {
  let vhost: MemoryVhost;
  let worker: TestWorker;
  let proxy: CeleryClientProxy;

  beforeEach(async () => {
    vhost = new MemoryVhost();
    worker = await startTestWorker({ controllers: [EchoTasks] }, { broker: new MemoryBroker({ vhost }), serverOptions: { queues: ['celery', 'routed'] } });
    proxy = new CeleryClientProxy({ broker: new MemoryBroker({ vhost }) });
  });

  afterEach(async () => {
    await proxy.close();
    await worker.close();
    await worker.broker.close();
  });

  it('send(): an array is args, a plain object kwargs, celeryCall() both with options; one result, then complete', async () => {
    await expect(lastValueFrom(proxy.send('proxy.echo', [1, 'a']).pipe(toArray()))).resolves.toEqual([{ args: [1, 'a'], kwargs: {} }]);
    await expect(firstValueFrom(proxy.send('proxy.echo', { x: 1 }))).resolves.toEqual({ args: [], kwargs: { x: 1 } });
    const sent = awaitPublished(vhost, { task: 'proxy.echo', routingKey: 'routed' });
    await expect(firstValueFrom(proxy.send('proxy.echo', celeryCall([2], { y: true }, { queue: 'routed' })))).resolves.toEqual({
      args: [2],
      kwargs: { y: true },
    });
    expect(decodePublishedTask(await sent).replyTo).toBeTruthy();
  });

  it('send(): a FAILURE errors with the typed CeleryRemoteError', async () => {
    const error = await firstValueFrom(proxy.send('proxy.fail', [])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CeleryRemoteError);
    expect(error).toMatchObject({ excType: 'RangeError', excMessage: 'out of range' });
  });

  it('send(): resultTimeoutMs errors with CeleryTimeoutError', async () => {
    const impatient = new CeleryClientProxy({ broker: new MemoryBroker({ vhost }), resultTimeoutMs: 50 });
    await expect(firstValueFrom(impatient.send('proxy.slow', []))).rejects.toBeInstanceOf(CeleryTimeoutError);
    await impatient.close();
  });

  it('emit(): sends the task without reply_to, ignore_result, and emits its id once confirmed', async () => {
    const sent = awaitPublished(vhost, { task: 'proxy.echo' });
    const id = await firstValueFrom(proxy.emit('proxy.echo', [7]));
    const task = decodePublishedTask(await sent);
    expect(task).toMatchObject({ id, args: [7], replyTo: null, ignoreResult: true });
  });

  it('emit(routingKey, event) publishes a @CeleryEvent instance on its exchange; the pattern must match', async () => {
    const published = awaitPublished(vhost, { exchange: 'proxyspec', routingKey: 'proxyspec.v1.done' });
    const id = await firstValueFrom(proxy.emit('proxyspec.v1.done', Object.assign(new ProxyDone(), { id: 'o-1' })));
    expect(decodePublishedTask(await published)).toMatchObject({ id, args: [{ id: 'o-1' }] });
    await expect(firstValueFrom(proxy.emit('proxyspec.v2.done', Object.assign(new ProxyDone(), { id: 'o-2' })))).rejects.toBeInstanceOf(
      CeleryInvalidCallError,
    );
    await expect(firstValueFrom(proxy.emit('proxyspec.v1.done', Object.assign(new ProxyDone(), { id: 3 })))).rejects.toBeInstanceOf(
      InvalidEventError,
    );
    await expect(firstValueFrom(proxy.send('proxyspec.v1.done', Object.assign(new ProxyDone(), { id: 'o-4' })))).rejects.toThrow(
      /an event has no result/,
    );
  });

  it('refuses ambiguous data and non-string patterns with CeleryInvalidCallError, sending nothing', async () => {
    const before = vhost.published().length;
    for (const data of ['text', 42, true, new Dto(1), new Date(), new Map()]) {
      await expect(firstValueFrom(proxy.send('proxy.echo', data))).rejects.toThrow(CeleryInvalidCallError);
      await expect(firstValueFrom(proxy.emit('proxy.echo', data))).rejects.toThrow(/Wrap a single value in an array/);
    }
    await expect(firstValueFrom(proxy.send({ cmd: 'proxy.echo' }, []))).rejects.toThrow(/task name as a non-empty string/);
    await expect(firstValueFrom(proxy.send('proxy.echo', celeryCall('x' as unknown as unknown[])))).rejects.toThrow(/args of task/);
    await expect(firstValueFrom(proxy.send('proxy.echo', null))).rejects.toThrow(/undefined\/null/); // Nest's own InvalidMessageException
    expect(vhost.published().length).toBe(before);
  });

  it('sends the metadata of setOnDispatchHook as message headers (celeryCall headers win)', async () => {
    proxy.setOnDispatchHook((packet) => {
      packet.metadata = { traceId: 't-1', tenant: 'acme' };
    });
    const sent = awaitPublished(vhost, { task: 'proxy.echo' });
    await firstValueFrom(proxy.send('proxy.echo', celeryCall([], {}, { headers: { tenant: 'explicit' } })));
    expect(decodePublishedTask(await sent).headers).toMatchObject({ traceId: 't-1', tenant: 'explicit' });
    const emitted = awaitPublished(vhost, { task: 'proxy.echo' });
    await firstValueFrom(proxy.emit('proxy.echo', []));
    expect(decodePublishedTask(await emitted).headers).toMatchObject({ traceId: 't-1', tenant: 'acme' });
  });

  it('routes with the same taskRoutes as CeleryClient', async () => {
    const routed = new CeleryClientProxy({ broker: new MemoryBroker({ vhost }), taskRoutes: { 'proxy.*': { queue: 'routed' } } });
    const sent = awaitPublished(vhost, { task: 'proxy.echo', routingKey: 'routed' });
    await expect(firstValueFrom(routed.send('proxy.echo', [1]))).resolves.toEqual({ args: [1], kwargs: {} });
    await sent;
    await routed.close();
  });

  it('reports the broker status, and unwrap() is the CeleryClient', async () => {
    const seen: string[] = [];
    proxy.on('status', (status) => seen.push(status));
    await proxy.connect();
    expect(seen).toContain('connected');
    await expect(firstValueFrom(proxy.status)).resolves.toBe('connected');
    expect(proxy.unwrap()).toBeInstanceOf(CeleryClient);
    expect(() => proxy.on('error' as 'status', () => undefined)).toThrow(CeleryInvalidCallError);
  });

  it("rejects 'client' together with 'brokerUrl'", () => {
    const client = new CeleryClient({ broker: new MemoryBroker({ vhost }) });
    expect(() => new CeleryClientProxy({ client, brokerUrl: 'memory://x' })).toThrow(CeleryInvalidCallError);
  });
});

describe('CeleryClientProxy in ClientsModule', () => {
  @Injectable()
  class Caller {
    constructor(@Inject('CELERY') readonly celery: ClientProxy) {}
  }

  it('register({ customClass }): send works, and the app closes the proxy and its own connection', async () => {
    const worker = await startTestWorker({ controllers: [EchoTasks] }, { broker: new MemoryBroker({ vhost: MemoryVhost.shared('proxyspec-register') }) });
    @Module({
      imports: [ClientsModule.register([{ name: 'CELERY', customClass: CeleryClientProxy, options: { brokerUrl: 'memory://proxyspec-register' } }])],
      providers: [Caller],
    })
    class AppModule {}
    const app = await (await Test.createTestingModule({ imports: [AppModule] }).compile()).init();
    const proxy = app.get(Caller).celery as CeleryClientProxy;
    expect(proxy).toBeInstanceOf(CeleryClientProxy);
    await expect(firstValueFrom(proxy.send('proxy.echo', [5]))).resolves.toEqual({ args: [5], kwargs: {} });
    const client = proxy.unwrap();
    await app.close();
    expect(client.unwrap().status).toBe('closed');
    await worker.close();
    await worker.broker.close();
  });

  it('registerAsync({ useFactory, inject }) can share a CeleryClient, which the proxy then leaves open', async () => {
    const broker = new MemoryBroker();
    const worker = await startTestWorker({ controllers: [EchoTasks] }, { broker });
    const shared = new CeleryClient({ broker });
    @Module({ providers: [{ provide: CeleryClient, useValue: shared }], exports: [CeleryClient] })
    class SharedModule {}
    @Module({
      imports: [
        ClientsModule.registerAsync([
          {
            name: 'CELERY',
            imports: [SharedModule],
            inject: [CeleryClient],
            useFactory: (client: CeleryClient) => ({ customClass: CeleryClientProxy, options: { client } }),
          },
        ]),
      ],
      providers: [Caller],
    })
    class AppModule {}
    const app = await (await Test.createTestingModule({ imports: [AppModule] }).compile()).init();
    const proxy = app.get(Caller).celery as CeleryClientProxy;
    expect(proxy.unwrap()).toBe(shared);
    await expect(firstValueFrom(proxy.send('proxy.echo', { k: 'v' }))).resolves.toEqual({ args: [], kwargs: { k: 'v' } });
    await app.close();
    await expect(shared.sendTask('proxy.echo', [])).resolves.toBeDefined();
    await shared.close();
    await worker.close();
    await broker.close();
  });
});
