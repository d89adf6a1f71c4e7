/**
 * CeleryClientProxy, Celery as a Nest ClientProxy, on a real RabbitMQ: registered with
 * `ClientsModule.registerAsync({ customClass })`, `send()` calls tasks on a Nest worker and on a
 * real Python Celery 5.2.6 worker and emits their results (failures as CeleryRemoteError);
 * `emit()` sends fire-and-forget tasks to both and publishes a `@CeleryEvent` to a Nest `@OnEvent`
 * handler. Routing comes from the proxy's `taskRoutes`, as for CeleryClient.
 */
import { Controller, Inject, Injectable, Module, type INestApplicationContext, type INestMicroservice } from '@nestjs/common';
import { ClientsModule, Payload, type ClientProxy } from '@nestjs/microservices';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import {
  CeleryClientProxy,
  CeleryEvent,
  CeleryInvalidCallError,
  CeleryRemoteError,
  CeleryTask,
  celeryCall,
  OnEvent,
  ServerCelery,
  TaskArg,
  TaskKwarg,
} from 'nestjs-celery';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { BROKER_URL } from './support/broker-url.js';
import type { ManagedProcess } from './support/child-process.js';
import { startPythonWorker } from './support/python.js';
import { deleteExchanges, deleteQueues } from './support/rabbitmq-admin.js';

const PY_QUEUE = 'proxye2e.py';
const NEST_QUEUE = 'proxye2e.nest';
const SERVICE = 'proxye2e';
const EVENT_QUEUE = `${SERVICE}.proxye2e-events`;
const CELERY = 'CELERY';

@CeleryEvent({ exchange: 'proxye2e', routingKey: 'proxye2e.v1.ping' })
class Ping {
  @IsString()
  text!: string;
}

const pings: string[] = [];
const fireAndForget: number[] = [];

@Controller()
class NestTasks {
  @CeleryTask('proxye2e.add')
  add(@TaskArg(0) x: number, @TaskArg(1) y: number): number {
    return x + y;
  }

  @CeleryTask('proxye2e.greet')
  greet(@TaskKwarg('name') name: string): string {
    return `hello ${name}`;
  }

  @CeleryTask('proxye2e.fail')
  fail(@TaskArg(0) message: string): never {
    throw new TypeError(message);
  }

  @CeleryTask('proxye2e.note')
  note(@TaskArg(0) n: number): void {
    fireAndForget.push(n);
  }

  @OnEvent(Ping)
  onPing(@Payload() ping: Ping): void {
    pings.push(ping.text);
  }
}

@Module({ controllers: [NestTasks] })
class WorkerModule {}

/** Configuration a real app would read from `@nestjs/config`. */
@Injectable()
class CeleryConfig {
  readonly brokerUrl = BROKER_URL;
}

@Module({ providers: [CeleryConfig], exports: [CeleryConfig] })
class ConfigModule {}

@Injectable()
class Caller {
  constructor(@Inject(CELERY) readonly celery: ClientProxy) {}
}

@Module({
  imports: [
    ClientsModule.registerAsync([
      {
        name: CELERY,
        imports: [ConfigModule],
        inject: [CeleryConfig],
        useFactory: (config: CeleryConfig) => ({
          customClass: CeleryClientProxy,
          options: {
            brokerUrl: config.brokerUrl,
            connectionName: 'proxy-e2e',
            taskRoutes: { 'pyinterop.*': { queue: PY_QUEUE }, 'proxye2e.*': { queue: NEST_QUEUE } },
          },
        }),
      },
    ]),
  ],
  providers: [Caller],
})
class CallerModule {}

async function waitUntil(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let python: ManagedProcess;
let worker: INestMicroservice;
let app: INestApplicationContext;
let celery: ClientProxy;

beforeAll(async () => {
  await deleteQueues(BROKER_URL, PY_QUEUE, NEST_QUEUE, EVENT_QUEUE, `${SERVICE}.dead-letter`);
  python = await startPythonWorker('pyworker_app', [PY_QUEUE]);
  worker = await NestFactory.createMicroservice(WorkerModule, {
    strategy: new ServerCelery({ brokerUrl: BROKER_URL, service: SERVICE, queues: [NEST_QUEUE], workerEvents: false, remoteControl: false }),
    logger: false,
  });
  await worker.listen();
  app = await (await Test.createTestingModule({ imports: [CallerModule] }).compile()).init();
  celery = app.get(Caller).celery;
}, 90_000);

afterAll(async () => {
  await app?.close();
  await worker?.close();
  await python?.stop();
  await deleteQueues(BROKER_URL, PY_QUEUE, NEST_QUEUE, EVENT_QUEUE, `${SERVICE}.dead-letter`).catch(() => undefined);
  await deleteExchanges(BROKER_URL, PY_QUEUE, NEST_QUEUE, 'proxye2e', `${SERVICE}.dead-letter`).catch(() => undefined);
});

describe('CeleryClientProxy from ClientsModule.registerAsync({ customClass })', () => {
  it('is the Celery proxy, connected through the factory options', () => {
    expect(celery).toBeInstanceOf(CeleryClientProxy);
  });

  it('send() to a Nest worker: args from an array, kwargs from an object; one value, then complete', async () => {
    await expect(lastValueFrom(celery.send('proxye2e.add', [2, 3]).pipe(toArray()))).resolves.toEqual([5]);
    await expect(firstValueFrom(celery.send('proxye2e.greet', { name: 'ada' }))).resolves.toBe('hello ada');
  });

  it('send() to Python Celery: args, kwargs (Python binds them by name) and celeryCall()', async () => {
    await expect(firstValueFrom(celery.send('pyinterop.add', [2, 40]))).resolves.toBe(42);
    await expect(firstValueFrom(celery.send('pyinterop.add', { x: 1, y: 2 }))).resolves.toBe(3);
    await expect(firstValueFrom(celery.send('pyinterop.echo', celeryCall([1, 'a'], { k: true })))).resolves.toEqual({
      args: [1, 'a'],
      kwargs: { k: true },
    });
  });

  it('send(): failures arrive as the typed CeleryRemoteError, from Nest and from Python', async () => {
    const fromNest = await firstValueFrom(celery.send('proxye2e.fail', ['nest says no'])).catch((e: unknown) => e);
    expect(fromNest).toBeInstanceOf(CeleryRemoteError);
    expect(fromNest).toMatchObject({ excType: 'TypeError', excMessage: 'nest says no' });
    const fromPython = await firstValueFrom(celery.send('pyinterop.fail', ['python says no'])).catch((e: unknown) => e);
    expect(fromPython).toBeInstanceOf(CeleryRemoteError);
    expect(fromPython).toMatchObject({ excType: 'ValueError', excModule: 'builtins', excMessage: 'python says no' });
  });

  it('emit(): fire-and-forget tasks run on the Nest worker and on Python; emits the task id', async () => {
    const id = await firstValueFrom(celery.emit('proxye2e.note', [11]));
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await waitUntil(() => fireAndForget.includes(11), 'the Nest fire-and-forget task');
    const pyId = await firstValueFrom(celery.emit('pyinterop.add', [20, 22]));
    await python.waitFor(new RegExp(`Task pyinterop\\.add\\[${pyId}\\] succeeded`), 15_000);
  });

  it('emit(routingKey, event): publishes a @CeleryEvent to the @OnEvent handler', async () => {
    await firstValueFrom(celery.emit('proxye2e.v1.ping', Object.assign(new Ping(), { text: 'pong' })));
    await waitUntil(() => pings.includes('pong'), 'the event');
  });

  it('bad shapes fail with CeleryInvalidCallError before anything is sent', async () => {
    await expect(firstValueFrom(celery.send('proxye2e.add', 5))).rejects.toBeInstanceOf(CeleryInvalidCallError);
    await expect(firstValueFrom(celery.send({ cmd: 'proxye2e.add' }, [1, 2]))).rejects.toBeInstanceOf(CeleryInvalidCallError);
  });
});
