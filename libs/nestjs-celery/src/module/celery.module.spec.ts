import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Controller, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { firstValueFrom } from 'rxjs';
import { MemoryVhost } from '../broker/memory/memory-vhost.js';
import { CeleryClient } from '../client/celery-client.js';
import { CeleryClientProxy } from '../client/celery-client.proxy.js';
import { CeleryTask } from '../decorators/celery-task.decorator.js';
import { TaskArg } from '../decorators/task-params.decorator.js';
import { EventPublisher } from '../events/event-publisher.js';
import { ServerCelery } from '../server/server-celery.js';
import type { CeleryModuleOptions, CeleryOptionsFactory } from './celery-module.options.js';
import { CeleryModule } from './celery.module.js';
import { getCeleryClientToken } from './celery.tokens.js';
import { InjectCeleryClient, InjectCeleryClientProxy, InjectEventPublisher } from './inject-celery.decorator.js';

@Injectable()
class TwoBrokers {
  constructor(
    @InjectCeleryClient('billing') readonly billing: CeleryClient,
    @InjectCeleryClient('audit') readonly audit: CeleryClient,
    @InjectEventPublisher('billing') readonly billingEvents: EventPublisher,
    @InjectCeleryClientProxy('audit') readonly auditProxy: CeleryClientProxy,
    readonly unnamed: CeleryClient,
    @InjectCeleryClient() readonly unnamedByDecorator: CeleryClient,
  ) {}
}

@Injectable()
class AuditOptions implements CeleryOptionsFactory {
  createCeleryOptions(): CeleryModuleOptions {
    return { brokerUrl: 'memory://celery-module-spec-audit', defaultQueue: 'audit' };
  }
}

@Module({ providers: [AuditOptions], exports: [AuditOptions] })
class AuditConfigModule {}

describe('CeleryModule registrations', () => {
  it('several named registrations side by side, each on its own broker, injected by name; plus an unnamed one', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CeleryModule.forRoot({ name: 'billing', brokerUrl: 'memory://celery-module-spec-billing', defaultQueue: 'billing' }),
        CeleryModule.forRootAsync({ name: 'audit', imports: [AuditConfigModule], useExisting: AuditOptions }),
        CeleryModule.forRoot({ brokerUrl: 'memory://celery-module-spec-default' }),
      ],
      providers: [TwoBrokers],
    }).compile();
    const app = await moduleRef.init();
    const two = app.get(TwoBrokers);
    expect(new Set([two.billing, two.audit, two.unnamed]).size).toBe(3);
    expect(two.auditProxy.unwrap()).toBe(two.audit);
    expect(two.unnamedByDecorator).toBe(two.unnamed);
    expect(app.get(getCeleryClientToken('billing'))).toBe(two.billing);

    await two.billing.sendTask('b.task', [1]);
    await firstValueFrom(two.auditProxy.emit('a.task', [2]));
    expect(MemoryVhost.shared('celery-module-spec-billing').inspectQueue('billing')).toMatchObject({ ready: 1 });
    expect(MemoryVhost.shared('celery-module-spec-audit').inspectQueue('audit')).toMatchObject({ ready: 1 });
    expect(MemoryVhost.shared('celery-module-spec-billing').inspectQueue('audit')).toBeUndefined();

    await app.close();
    for (const client of [two.billing, two.audit, two.unnamed]) expect(client.unwrap().status).toBe('closed');
  });

  it('forRootAsync({ useClass }) builds the options with a CeleryOptionsFactory', async () => {
    @Injectable()
    class Options implements CeleryOptionsFactory {
      async createCeleryOptions(): Promise<CeleryModuleOptions> {
        return { brokerUrl: 'memory://celery-module-spec-useclass', defaultQueue: 'from-class' };
      }
    }
    const app = await (await Test.createTestingModule({ imports: [CeleryModule.forRootAsync({ useClass: Options })] }).compile()).init();
    await app.get(CeleryClient).sendTask('x', []);
    expect(MemoryVhost.shared('celery-module-spec-useclass').inspectQueue('from-class')).toMatchObject({ ready: 1 });
    expect(app.get(CeleryClientProxy).unwrap()).toBe(app.get(CeleryClient));
    await app.close();
  });

  it('a named registration does not provide the unnamed classes', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CeleryModule.forRoot({ name: 'only', brokerUrl: 'memory://celery-module-spec-only', connectOnInit: false })],
    }).compile();
    expect(() => moduleRef.get(CeleryClient)).toThrow();
    expect(moduleRef.get(getCeleryClientToken('only'))).toBeInstanceOf(CeleryClient);
    await moduleRef.close();
  });

  it('refuses an empty name', () => {
    expect(() => CeleryModule.forRoot({ name: '' })).toThrow(/non-empty string/);
  });
});

/** Gate a task waits on, released by the test once the app's shutdown has begun. */
let release!: () => void;
let gate = new Promise<void>((resolve) => (release = resolve));
let started!: () => void;
let running = new Promise<void>((resolve) => (started = resolve));

@Controller()
class FollowUpTasks {
  constructor(private readonly celery: CeleryClient) {}

  /** Waits for the gate, then calls another task through the module's client (a chained call). */
  @CeleryTask('module-spec.first')
  async first(@TaskArg(0) n: number): Promise<string> {
    started();
    await gate;
    const next = await this.celery.sendTask('module-spec.second', [n], {}, { queue: 'second' });
    return next.id;
  }
}

describe('CeleryModule closes its client after the connected microservices drained', () => {
  it('a hybrid app: a task running at app.close() still publishes its follow-up and reports SUCCESS', async () => {
    gate = new Promise<void>((resolve) => (release = resolve));
    running = new Promise<void>((resolve) => (started = resolve));
    const vhost = MemoryVhost.shared('celery-module-spec-shutdown');
    @Module({ imports: [CeleryModule.forRoot({ brokerUrl: 'memory://celery-module-spec-shutdown' })], controllers: [FollowUpTasks] })
    class HybridModule {}
    const app = await NestFactory.create(HybridModule, { logger: false });
    app.connectMicroservice({ strategy: new ServerCelery({ brokerUrl: 'memory://celery-module-spec-shutdown', queues: ['first'] }) }, { inheritAppConfig: true });
    await app.startAllMicroservices();
    await app.init();
    const caller = new CeleryClient({ brokerUrl: 'memory://celery-module-spec-shutdown', defaultQueue: 'first' });
    const result = await caller.sendTask<string>('module-spec.first', [1]);
    await running;
    const closed = app.close();
    // Let the shutdown run as far as it goes while the task is busy (the old order closed the client here).
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await closed;
    await expect(result.get({ timeout: 2000 })).resolves.toEqual(expect.any(String));
    expect(vhost.inspectQueue('second')).toMatchObject({ ready: 1 });
    await caller.close();
  });
});
