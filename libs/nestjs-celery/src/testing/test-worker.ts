import { Module, type DynamicModule, type INestMicroservice, type LoggerService, type LogLevel, type ModuleMetadata, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Broker } from '../broker/broker.js';
import { MemoryBroker } from '../broker/memory/memory-broker.js';
import { ServerCelery } from '../server/server-celery.js';
import type { ServerCeleryOptions } from '../server/server-celery.options.js';

/** Something that can create a Nest microservice itself, such as `@nestjs/testing`'s `TestingModule`. */
export interface MicroserviceFactory {
  createNestMicroservice(options: { strategy: ServerCelery; logger?: LoggerService | LogLevel[] | false }): INestMicroservice;
}

/** What {@link startTestWorker} boots: a module class, a dynamic module, module metadata, or a compiled `TestingModule`. */
export type TestWorkerTarget = Type<unknown> | DynamicModule | ModuleMetadata | MicroserviceFactory;

/** Options of {@link startTestWorker}. */
export interface TestWorkerOptions {
  /** Broker to run on. Default: a new `MemoryBroker` (closed with the worker). */
  broker?: Broker;
  /** `ServerCelery` options (queues, concurrency, deadLetter…); the broker is given above. */
  serverOptions?: Omit<ServerCeleryOptions, 'broker' | 'brokerUrl'>;
  /** Nest's application logger. Default `false` (quiet); e.g. `['error', 'warn']`. */
  logger?: LoggerService | LogLevel[] | false;
}

/** A running test worker. */
export interface TestWorker {
  app: INestMicroservice;
  server: ServerCelery;
  broker: Broker;
  /** Closes the app (waiting for running tasks), then the broker if `startTestWorker` created it. */
  close(): Promise<void>;
}

function isFactory(target: TestWorkerTarget): target is MicroserviceFactory {
  return typeof (target as Partial<MicroserviceFactory>).createNestMicroservice === 'function';
}

function isModule(target: TestWorkerTarget): target is Type<unknown> | DynamicModule {
  return typeof target === 'function' || 'module' in target;
}

/**
 * Boots a Nest microservice whose transport is `ServerCelery` on a broker (an in-memory one by
 * default), so `@CeleryTask` handlers can be called through a real client in a unit test:
 *
 * ```ts
 * const worker = await startTestWorker({ controllers: [BillingTasks] }, { serverOptions: { queues: ['billing'] } });
 * const client = await createTestClient(worker.broker, { defaultQueue: 'billing' });
 * expect(await callTask(client, 'billing.sync.get_balance', ['acme'])).toBe(0);
 * await client.close();
 * await worker.close();
 * ```
 */
export async function startTestWorker(target: TestWorkerTarget, options: TestWorkerOptions = {}): Promise<TestWorker> {
  const ownsBroker = options.broker === undefined;
  const broker = options.broker ?? new MemoryBroker();
  const server = new ServerCelery({ ...options.serverOptions, broker });
  const logger = options.logger ?? false;
  let app: INestMicroservice;
  if (isFactory(target)) {
    app = target.createNestMicroservice({ strategy: server, logger });
  } else {
    let module: Type<unknown> | DynamicModule;
    if (isModule(target)) module = target;
    else {
      class TestWorkerModule {}
      Module(target)(TestWorkerModule);
      module = TestWorkerModule;
    }
    app = await NestFactory.createMicroservice(module, { strategy: server, logger });
  }
  try {
    await app.listen();
  } catch (error) {
    await app.close().catch(() => undefined);
    if (ownsBroker) await broker.close();
    throw error;
  }
  return {
    app,
    server,
    broker,
    close: async () => {
      await app.close();
      if (ownsBroker) await broker.close();
    },
  };
}
