/**
 * Several CeleryModule registrations side by side, on two RabbitMQ vhosts, injected by name; and
 * ServerCelery built by a factory with injected configuration: `createMicroservice(Module,
 * { inject, useFactory })` and `connectMicroservice({ inject, useFactory })` of a hybrid app.
 */
import { Controller, Injectable, Module, type INestApplication, type INestApplicationContext, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AsyncMicroserviceOptions } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import {
  CeleryClient,
  CeleryClientProxy,
  CeleryModule,
  CeleryTask,
  InjectCeleryClient,
  InjectCeleryClientProxy,
  ServerCelery,
  type CeleryModuleOptions,
  type CeleryOptionsFactory,
} from 'nestjs-celery';
import { firstValueFrom } from 'rxjs';
import { BROKER_URL } from './support/broker-url.js';
import { eventually } from './support/eventually.js';
import { deleteExchanges, deleteQueues } from './support/rabbitmq-admin.js';
import { listConnections } from './support/rabbitmqctl.js';
import { ensureVhost, vhostOf, withVhost } from './support/vhost.js';

const QUEUE = 'registrations.where';
const SECOND_VHOST = process.env.CELERY_ASYNC_VHOST ?? `${vhostOf(BROKER_URL) === '/' ? 'nestjs-celery-' : vhostOf(BROKER_URL)}b`;
const SECOND_URL = withVhost(BROKER_URL, SECOND_VHOST);

/** The apps' configuration, as `@nestjs/config` would provide it. */
@Injectable()
class BrokersConfig {
  readonly orders = BROKER_URL;
  readonly billing = SECOND_URL;
}

@Module({ providers: [BrokersConfig], exports: [BrokersConfig] })
class BrokersConfigModule {}

/** `registrations.where` answers which worker (vhost) ran it. */
function whereTasks(answer: string) {
  @Controller()
  class WhereTasks {
    @CeleryTask('registrations.where')
    where(): string {
      return answer;
    }
  }
  return WhereTasks;
}

@Module({ imports: [BrokersConfigModule], controllers: [whereTasks('orders vhost')] })
class OrdersWorkerModule {}

@Module({ imports: [BrokersConfigModule], controllers: [whereTasks('billing vhost')] })
class BillingWorkerModule {}

/** `useClass` options for the billing registration. */
@Injectable()
class BillingCeleryOptions implements CeleryOptionsFactory {
  constructor(private readonly config: BrokersConfig) {}

  createCeleryOptions(): CeleryModuleOptions {
    return { brokerUrl: this.config.billing, defaultQueue: QUEUE, connectionName: 'registrations billing' };
  }
}

@Injectable()
class TwoServices {
  constructor(
    @InjectCeleryClient('orders') readonly orders: CeleryClient,
    @InjectCeleryClient('billing') readonly billing: CeleryClient,
    @InjectCeleryClientProxy('billing') readonly billingProxy: CeleryClientProxy,
  ) {}

  async where(client: CeleryClient): Promise<string> {
    return (await client.sendTask<string>('registrations.where')).get({ timeout: 10_000 });
  }
}

@Module({
  imports: [
    CeleryModule.forRootAsync({
      name: 'orders',
      imports: [BrokersConfigModule],
      inject: [BrokersConfig],
      useFactory: (config: BrokersConfig) => ({ brokerUrl: config.orders, defaultQueue: QUEUE, connectionName: 'registrations orders' }),
    }),
    CeleryModule.forRootAsync({ name: 'billing', imports: [BrokersConfigModule], useClass: BillingCeleryOptions }),
  ],
  providers: [TwoServices],
})
class CallerModule {}

/** Broker URLs the worker factories were called with. */
const factoryCalls: string[] = [];

/** Builds the worker from injected configuration (Nest calls it synchronously, so it must not be async). */
function workerFactory(pick: (config: BrokersConfig) => string): AsyncMicroserviceOptions {
  return {
    inject: [BrokersConfig],
    useFactory: (config: BrokersConfig) => {
      factoryCalls.push(pick(config));
      return { strategy: new ServerCelery({ brokerUrl: pick(config), queues: [QUEUE], workerEvents: false, remoteControl: false }) };
    },
  };
}

let ordersWorker: INestMicroservice;
let billingApp: INestApplication;
let caller: INestApplicationContext;

beforeAll(async () => {
  const problem = ensureVhost(SECOND_VHOST);
  if (problem) throw new Error(problem);
  await deleteQueues(BROKER_URL, QUEUE);
  await deleteQueues(SECOND_URL, QUEUE);
  // A pure microservice whose ServerCelery comes from a factory with injected configuration.
  ordersWorker = await NestFactory.createMicroservice<AsyncMicroserviceOptions>(OrdersWorkerModule, {
    ...workerFactory((config) => config.orders),
    logger: false,
  });
  await ordersWorker.listen();
  // A hybrid app connecting its worker the same way.
  billingApp = await NestFactory.create(BillingWorkerModule, { logger: false });
  billingApp.connectMicroservice<AsyncMicroserviceOptions>(workerFactory((config) => config.billing));
  await billingApp.startAllMicroservices();
  await billingApp.init();
  caller = await (await Test.createTestingModule({ imports: [CallerModule] }).compile()).init();
}, 60_000);

afterAll(async () => {
  await caller?.close();
  await ordersWorker?.close();
  await billingApp?.close();
  await deleteQueues(BROKER_URL, QUEUE).catch(() => undefined);
  await deleteQueues(SECOND_URL, QUEUE).catch(() => undefined);
  await deleteExchanges(BROKER_URL, QUEUE).catch(() => undefined);
  await deleteExchanges(SECOND_URL, QUEUE).catch(() => undefined);
});

describe('ServerCelery from createMicroservice / connectMicroservice({ inject, useFactory })', () => {
  it('is built with the injected configuration and serves on the configured vhost', async () => {
    expect(factoryCalls).toEqual([BROKER_URL, SECOND_URL]);
    for (const [url, answer] of [[BROKER_URL, 'orders vhost'], [SECOND_URL, 'billing vhost']] as const) {
      const client = new CeleryClient({ brokerUrl: url, defaultQueue: QUEUE });
      await expect((await client.sendTask('registrations.where')).get({ timeout: 10_000 })).resolves.toBe(answer);
      await client.close();
    }
  });
});

describe('named CeleryModule registrations on two vhosts', () => {
  it('inject distinct clients by name, each reaching the worker on its own vhost', async () => {
    const services = caller.get(TwoServices);
    expect(services.orders).not.toBe(services.billing);
    await expect(services.where(services.orders)).resolves.toBe('orders vhost');
    await expect(services.where(services.billing)).resolves.toBe('billing vhost');
    await expect(firstValueFrom(services.billingProxy.send('registrations.where', []))).resolves.toBe('billing vhost');
    expect(services.billingProxy.unwrap()).toBe(services.billing);
  });

  it('provide no unnamed CeleryClient when every registration is named', () => {
    expect(() => caller.get(CeleryClient)).toThrow();
  });

  it('close both connections with the app', async () => {
    const services = caller.get(TwoServices);
    await caller.close();
    expect([services.orders.unwrap().status, services.billing.unwrap().status]).toEqual(['closed', 'closed']);
    // RabbitMQ's view: no connection of either registration is left (one orphaned by the proxy's
    // connect() on the billing client kept jest from exiting).
    let left: string[] = [];
    const stillOpen = async () =>
      (left = [...(await listConnections(vhostOf(BROKER_URL))), ...(await listConnections(SECOND_VHOST))]
        .map((connection) => connection.name)
        .filter((name) => name.startsWith('registrations ')));
    await eventually(async () => (await stillOpen()).length === 0, 15_000, 'the registrations to close their connections', () => `open: ${left.join(', ')}`, 200);
  });
});
