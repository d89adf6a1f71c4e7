/**
 * CeleryModule in a real Nest application (DI, connect on init, clean close), and a hybrid Nest
 * app that is both a Celery worker (ServerCelery + @CeleryTask through guards, pipes and
 * interceptors) and a Celery client of a real Python Celery 5.2.6 worker.
 */
import {
  type CallHandler,
  type CanActivate,
  Controller,
  type ExecutionContext,
  Injectable,
  Module,
  type NestInterceptor,
  type PipeTransform,
  BadRequestException,
  UseGuards,
  UseInterceptors,
  type INestApplicationContext,
  type INestMicroservice,
} from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import {
  amqplib,
  CeleryClient,
  CeleryContext,
  CeleryInvalidCallError,
  CeleryModule,
  CeleryRemoteError,
  CeleryTask,
  ServerCelery,
  type CeleryTaskPayload,
} from 'nestjs-celery';
import { firstValueFrom, map, type Observable } from 'rxjs';
import { BROKER_URL } from './support/broker-url.js';
import type { ManagedProcess } from './support/child-process.js';
import { startPythonWorker } from './support/python.js';
import { deleteQueues, queueExists } from './support/rabbitmq-admin.js';

/** Queue of the Python worker (pyworker_app) used by this file. */
const PY_QUEUE = 'n2p.module.py';
/** Queue of the Nest worker (ServerCelery). */
const NEST_QUEUE = 'n2p.nest';

// ---------------------------------------------------------------- DI: a provider using the client

/** Configuration provider, to prove forRootAsync's `inject` resolves real providers. */
@Injectable()
class BrokerConfig {
  readonly url = BROKER_URL;
}

@Module({ providers: [BrokerConfig], exports: [BrokerConfig] })
class BrokerConfigModule {}

@Injectable()
class PythonCalculator {
  constructor(readonly celery: CeleryClient) {}

  async add(x: number, y: number): Promise<number> {
    const result = await this.celery.sendTask<number>('pyinterop.add', [x, y], {}, { queue: PY_QUEUE });
    return result.get({ timeout: 10_000 });
  }
}

@Module({
  imports: [
    CeleryModule.forRootAsync({
      imports: [BrokerConfigModule],
      inject: [BrokerConfig],
      useFactory: (config: BrokerConfig) => ({ brokerUrl: config.url, connectionName: 'n2p-module-test' }),
    }),
  ],
  providers: [PythonCalculator],
})
class CalculatorModule {}

// ---------------------------------------------------------------- hybrid: Nest worker + Celery client

const calls = { guard: 0, pipe: 0, interceptor: 0, handler: 0 };

/** Lets a task through only when kwargs.token === 'ok'. */
@Injectable()
class TokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    calls.guard++;
    const payload = context.switchToRpc().getData<CeleryTaskPayload>();
    return payload.kwargs?.token === 'ok';
  }
}

interface AmountInput {
  amount: number;
  piped: true;
}

/** ValidationPipe-like: args[0] must be numeric; turns the raw payload into a typed input. */
class AmountPipe implements PipeTransform<CeleryTaskPayload, AmountInput> {
  transform(value: CeleryTaskPayload): AmountInput {
    calls.pipe++;
    const amount = Number(value.args?.[0]);
    if (value.args?.[0] === null || value.args?.[0] === '' || !Number.isFinite(amount)) {
      throw new BadRequestException(`amount must be a number, got ${JSON.stringify(value.args?.[0])}`);
    }
    return { amount, piped: true };
  }
}

/** Wraps the handler result. */
@Injectable()
class WrapInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    calls.interceptor++;
    return next.handle().pipe(map((data) => ({ wrapped: true, data })));
  }
}

@Controller()
class GuardedTasks {
  constructor(private readonly celery: CeleryClient) {}

  /** Nest handler that itself calls the Python worker through the injected client. */
  @CeleryTask('n2p.guarded')
  @UseGuards(TokenGuard)
  @UseInterceptors(WrapInterceptor)
  async guarded(@Payload(new AmountPipe()) input: AmountInput, @Ctx() ctx: CeleryContext) {
    calls.handler++;
    const product = await this.celery.sendTask<number>('pyinterop.mul', [input.amount, 3], {}, { queue: PY_QUEUE });
    return { tripled: await product.get({ timeout: 10_000 }), piped: input.piped, taskId: ctx.id };
  }
}

@Module({
  imports: [CeleryModule.forRootAsync({ useFactory: () => ({ brokerUrl: BROKER_URL }) })],
  controllers: [GuardedTasks],
  providers: [TokenGuard],
})
class HybridWorkerModule {}

// ---------------------------------------------------------------- tests

let python: ManagedProcess;

beforeAll(async () => {
  await deleteQueues(BROKER_URL, PY_QUEUE, NEST_QUEUE);
  python = await startPythonWorker('pyworker_app', [PY_QUEUE]);
}, 90_000);

afterAll(async () => {
  await python?.stop();
  await deleteQueues(BROKER_URL, PY_QUEUE, NEST_QUEUE).catch(() => undefined);
});

describe('CeleryModule.forRootAsync in a Nest application', () => {
  let app: INestApplicationContext | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('injects one CeleryClient, connects it on init, calls Python, and closes it with the app', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [CalculatorModule] }).compile();
    const client = moduleRef.get(CeleryClient);
    const calculator = moduleRef.get(PythonCalculator);
    expect(client).toBeInstanceOf(CeleryClient);
    expect(calculator.celery).toBe(client); // the same instance through DI

    const statuses: string[] = [];
    let completed = false;
    client.status$.subscribe({ next: (s) => statuses.push(s), complete: () => (completed = true) });
    // Not connected before init: no reply queue on the broker yet.
    expect(statuses).toEqual(['connecting']);
    const replyQueue = client.replyQueue!;
    expect(typeof replyQueue).toBe('string');
    expect(await queueExists(BROKER_URL, replyQueue)).toBe(false);

    app = await moduleRef.init();
    // onModuleInit connected the client and started its rpc result consumer.
    expect(statuses[statuses.length - 1]).toBe('connected');
    expect(await firstValueFrom(client.status$)).toBe('connected');
    expect(await queueExists(BROKER_URL, replyQueue)).toBe(true);

    await expect(calculator.add(2, 3)).resolves.toBe(5);
    await expect(Promise.all([calculator.add(10, 20), calculator.add(-1, 1)])).resolves.toEqual([30, 0]);

    await app.close();
    app = undefined;
    // onApplicationShutdown closed it: status closed (and the stream completed), the auto-delete reply
    // queue is gone, calls are refused.
    expect(statuses).toEqual(['connecting', 'connected', 'closed']);
    expect(completed).toBe(true);
    expect(await queueExists(BROKER_URL, replyQueue)).toBe(false);
    await expect(client.sendTask('pyinterop.add', [1, 1], {}, { queue: PY_QUEUE })).rejects.toBeInstanceOf(CeleryInvalidCallError);
  });

  it('forRoot({ brokerUrl }) works the same way', async () => {
    @Module({ imports: [CeleryModule.forRoot({ brokerUrl: BROKER_URL })], providers: [PythonCalculator] })
    class SyncModule {}
    app = await (await Test.createTestingModule({ imports: [SyncModule] }).compile()).init();
    await expect(app.get(PythonCalculator).add(20, 22)).resolves.toBe(42);
  });
});

describe('hybrid Nest app: ServerCelery worker (guards, pipes, interceptors) + CeleryClient to Python', () => {
  let worker: INestMicroservice;
  let server: ServerCelery;
  let caller: CeleryClient;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [HybridWorkerModule] }).compile();
    server = new ServerCelery({ brokerUrl: BROKER_URL, queues: [NEST_QUEUE], defaultQueue: NEST_QUEUE, concurrency: 4 });
    worker = moduleRef.createNestMicroservice({ strategy: server, logger: false });
    await worker.listen();
    caller = new CeleryClient({ brokerUrl: BROKER_URL, defaultQueue: NEST_QUEUE });
    await caller.connect();
  }, 60_000);

  afterAll(async () => {
    await caller?.close();
    await worker?.close();
  });

  beforeEach(() => Object.assign(calls, { guard: 0, pipe: 0, interceptor: 0, handler: 0 }));

  it('registers the task', () => {
    expect(server.registeredTasks()).toContain('n2p.guarded');
  });

  it('right token: guard passes, pipe transforms, handler calls Python, interceptor wraps', async () => {
    const r = await caller.sendTask('n2p.guarded', ['7'], { token: 'ok' });
    await expect(r.get({ timeout: 15_000 })).resolves.toEqual({ wrapped: true, data: { tripled: 21, piped: true, taskId: r.id } });
    expect(calls).toEqual({ guard: 1, pipe: 1, interceptor: 1, handler: 1 });
  });

  it('wrong token: the guard rejects -> CeleryRemoteError, nothing else runs', async () => {
    const r = await caller.sendTask('n2p.guarded', ['7'], { token: 'nope' });
    const error = await r.get({ timeout: 15_000 }).then(
      () => {
        throw new Error('expected a FAILURE');
      },
      (e: unknown) => e as CeleryRemoteError,
    );
    expect(error).toBeInstanceOf(CeleryRemoteError);
    // Nest's RpcContextCreator throws RpcException('Forbidden resource'); ServerCelery unwraps it.
    expect(error.excMessage).toBe('Forbidden resource');
    expect(error.excType).toBe('Error');
    expect(error.excModule).toBe('nodejs');
    expect(error.taskId).toBe(r.id);
    expect(r.state).toBe('FAILURE');
    expect(calls).toEqual({ guard: 1, pipe: 0, interceptor: 0, handler: 0 });
  });

  it('missing kwargs: the guard rejects as well', async () => {
    const r = await caller.sendTask('n2p.guarded', ['7']);
    await expect(r.get({ timeout: 15_000 })).rejects.toMatchObject({ excMessage: 'Forbidden resource' });
  });

  it('invalid payload: the pipe throws BadRequestException -> CeleryRemoteError with its type and message', async () => {
    const r = await caller.sendTask('n2p.guarded', ['not a number'], { token: 'ok' });
    const error = await r.get({ timeout: 15_000 }).then(
      () => {
        throw new Error('expected a FAILURE');
      },
      (e: unknown) => e as CeleryRemoteError,
    );
    expect(error).toBeInstanceOf(CeleryRemoteError);
    expect(error.excType).toBe('BadRequestException');
    expect(error.excModule).toBe('nodejs');
    expect(error.excMessage).toBe('amount must be a number, got "not a number"');
    expect(calls).toEqual({ guard: 1, pipe: 1, interceptor: 1, handler: 0 });
  });

  it('concurrent callers each get their own result', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map(async (n) => (await caller.sendTask<{ data: { tripled: number } }>('n2p.guarded', [n], { token: 'ok' })).get({ timeout: 15_000 })),
    );
    expect(results.map((r) => r.data.tripled)).toEqual([3, 6, 9, 12, 15]);
  });

  it('the Python worker saw no invalid message', () => {
    expect(python.log).not.toMatch(/Unrecoverable error|Received invalid task message|Received and deleted unknown message/);
  });
});
