/**
 * Automatic retries (issue 18, point 2): `autoretryFor` with `retryBackoff` retries like Celery's
 * `autoretry_for`. A Python caller sees the same RETRY states, errors and timing from a Nest task
 * as from its Python twin (`pyops.flaky` in test/python/ops_app.py), and the final failure
 * carries the last error. A backoff longer than the worker's `etaHoldLimitMs` is parked in the
 * ETA parking queue, not held unacknowledged.
 */
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { CeleryClient, CeleryContext, CeleryRemoteError, CeleryTask, etaParkingQueueName, ServerCelery, TaskArg, type ResultMessage } from 'nestjs-celery';
import { PaymentGateway, PaymentsTasks } from '../apps/billing/src/payments/index.js';
import { BROKER_URL } from './support/broker-url.js';
import { celeryRelease } from './support/celery-version.js';
import type { ManagedProcess } from './support/child-process.js';
import { runPython, startPythonWorker } from './support/python.js';
import { deleteExchanges, deleteQueues, queueDepth } from './support/rabbitmq-admin.js';
import { waitFor } from './support/wait-for.js';

const NEST_QUEUE = 'ops.retry.nest';
const PARK_QUEUE = 'ops.retry.park';
const PY_QUEUE = 'ops.py';
const BILLING_QUEUE = 'ops.retry.billing';

/** Python's builtin ValueError, as a Nest task throws it. */
class ValueError extends Error {
  override readonly name = 'ValueError';
}

/** A payment gateway that did not answer. */
class GatewayTimeout extends Error {
  override readonly name = 'GatewayTimeout';
}

/** When each run of a task id started (ms). */
const runsById = new Map<string, number[]>();

@Controller()
class RetryTasks {
  /** The twin of Python's `pyops.flaky`: fails its first `failures` runs with ValueError('attempt <retries>'). */
  @CeleryTask('nestops.flaky', { params: ['failures'], autoretryFor: [ValueError], retryBackoff: 1, retryJitter: false, maxRetries: 2 })
  flaky(@TaskArg(0) failures: number, @Ctx() ctx: CeleryContext): number {
    runsById.set(ctx.id, [...(runsById.get(ctx.id) ?? []), Date.now()]);
    if (ctx.request.retries < failures) throw new ValueError(`attempt ${ctx.request.retries}`);
    return ctx.request.retries;
  }

  /** The twin of Python's `pyops.flaky_kwargs`: retried with `retryKwargs` (0.5 s, one retry) instead of a backoff. */
  @CeleryTask('nestops.flaky_kwargs', { params: ['failures'], autoretryFor: [ValueError], retryKwargs: { countdown: 0.5, maxRetries: 1 } })
  flakyKwargs(@TaskArg(0) failures: number, @Ctx() ctx: CeleryContext): number {
    runsById.set(ctx.id, [...(runsById.get(ctx.id) ?? []), Date.now()]);
    if (ctx.request.retries < failures) throw new ValueError(`attempt ${ctx.request.retries}`);
    return ctx.request.retries;
  }

  /** Fails once with a backoff of 3 s, longer than the parking worker's 1 s hold limit. */
  @CeleryTask('nestops.parked', { autoretryFor: ['GatewayTimeout'], retryBackoff: 3, retryJitter: false, maxRetries: 1 })
  parked(@Ctx() ctx: CeleryContext): string {
    const runs = runsById.get(ctx.id) ?? [];
    runsById.set(ctx.id, [...runs, Date.now()]);
    if (ctx.request.retries === 0) throw new GatewayTimeout('gateway did not answer within 5 s');
    return 'charged';
  }
}

/** The sample shop's simulated payment gateway, failing its first two calls. */
function gatewayFailingTwice(): PaymentGateway {
  let call = 0;
  return new PaymentGateway({ failureRate: 0.5, random: () => (++call <= 2 ? 0 : 0.99) });
}

@Module({ controllers: [RetryTasks] })
class RetryWorkerModule {}

interface SeenState {
  status: string;
  exc: [string, unknown[]] | null;
  at: number;
}
interface StatesResult {
  id: string;
  seen: SeenState[];
  final: { state: string; value?: unknown; error?: [string, string[]] };
}

async function pythonCaller(task: string, queue: string, failures: number): Promise<StatesResult> {
  const out = await runPython<{ ok: boolean; result: StatesResult; error?: string; traceback?: string }>('ops_client.py', { case: 'states', task, queue, args: [failures] });
  if (!out.ok) throw new Error(`ops_client.py raised ${out.error}\n${out.traceback}`);
  return out.result;
}

/** The states and the gaps between them (s): what must match between the Nest task and its Python twin. */
function shape(result: StatesResult) {
  return { statuses: result.seen.map((s) => s.status), errors: result.seen.map((s) => s.exc), final: result.final };
}

function gaps(result: StatesResult): number[] {
  return result.seen.slice(1).map((s, i) => s.at - result.seen[i]!.at);
}

describe(`automatic retries: a Nest task beside its Python Celery ${celeryRelease()} twin`, () => {
  const workers: INestMicroservice[] = [];
  let client: CeleryClient;
  let pyWorker: ManagedProcess;

  beforeAll(async () => {
    await deleteQueues(BROKER_URL, NEST_QUEUE, PARK_QUEUE, etaParkingQueueName(PARK_QUEUE), PY_QUEUE, BILLING_QUEUE);
    const start = async (queue: string, etaHoldLimitMs?: number, module: object = { imports: [RetryWorkerModule] }) => {
      const moduleRef = await Test.createTestingModule(module).compile();
      const server = new ServerCelery({ brokerUrl: BROKER_URL, queues: [queue], defaultQueue: queue, etaHoldLimitMs, nodeName: `${queue}-${process.pid}@test` });
      const worker = moduleRef.createNestMicroservice({ strategy: server, logger: false });
      workers.push(worker);
      await worker.listen();
    };
    const [started] = await Promise.all([startPythonWorker('ops_app', [PY_QUEUE]), start(NEST_QUEUE), start(PARK_QUEUE, 1000), start(BILLING_QUEUE, undefined, {
      controllers: [PaymentsTasks],
      providers: [{ provide: PaymentGateway, useFactory: gatewayFailingTwice }],
    })]);
    pyWorker = started;
    client = new CeleryClient({ brokerUrl: BROKER_URL, defaultQueue: NEST_QUEUE });
    await client.connect();
  }, 90_000);

  afterAll(async () => {
    await client?.close();
    await Promise.all(workers.map((worker) => worker.close()));
    await pyWorker?.stop();
    await deleteQueues(BROKER_URL, NEST_QUEUE, PARK_QUEUE, etaParkingQueueName(PARK_QUEUE), PY_QUEUE, BILLING_QUEUE);
    await deleteExchanges(BROKER_URL, NEST_QUEUE, PARK_QUEUE, PY_QUEUE, BILLING_QUEUE);
  }, 30_000);

  it('a Python caller sees RETRY, RETRY, SUCCESS with the same errors and backoff (1 s, 2 s) from both', async () => {
    const [nest, python] = await Promise.all([pythonCaller('nestops.flaky', NEST_QUEUE, 2), pythonCaller('pyops.flaky', PY_QUEUE, 2)]);
    expect(shape(python)).toEqual({
      statuses: ['RETRY', 'RETRY', 'SUCCESS'],
      errors: [['ValueError', ['attempt 0']], ['ValueError', ['attempt 1']], null],
      final: { state: 'SUCCESS', value: 2 },
    });
    expect(shape(nest)).toEqual(shape(python));
    // The Nest task ran again no earlier than each countdown (1 s, then 2 s) after it failed.
    const [run0, run1, run2] = runsById.get(nest.id)!;
    expect(run1! - run0!).toBeGreaterThanOrEqual(990);
    expect(run2! - run1!).toBeGreaterThanOrEqual(1990);
    for (const result of [nest, python]) {
      // The gaps between the state messages the caller receives: the countdowns, give or take how
      // late each reply travels (wide bounds: the test machine may be loaded).
      const [first, second] = gaps(result);
      expect(first).toBeGreaterThanOrEqual(0.5);
      expect(first).toBeLessThan(1.9);
      expect(second).toBeGreaterThan(first!);
      expect(second).toBeLessThan(3.5);
    }
  }, 60_000);

  it('once the retries are used up, the final FAILURE carries the last error, as from Python', async () => {
    const [nest, python] = await Promise.all([pythonCaller('nestops.flaky', NEST_QUEUE, 9), pythonCaller('pyops.flaky', PY_QUEUE, 9)]);
    expect(shape(python)).toEqual({
      statuses: ['RETRY', 'RETRY', 'FAILURE'],
      errors: [['ValueError', ['attempt 0']], ['ValueError', ['attempt 1']], ['ValueError', ['attempt 2']]],
      final: { state: 'FAILURE', error: ['ValueError', ['attempt 2']] },
    });
    expect(shape(nest)).toEqual(shape(python));
  }, 60_000);

  it("retryKwargs as Celery's retry_kwargs: their countdown (0.5 s) and max_retries (1, not the task's 3), as from Python", async () => {
    const [nest, python] = await Promise.all([pythonCaller('nestops.flaky_kwargs', NEST_QUEUE, 9), pythonCaller('pyops.flaky_kwargs', PY_QUEUE, 9)]);
    expect(shape(python)).toEqual({
      statuses: ['RETRY', 'FAILURE'],
      errors: [['ValueError', ['attempt 0']], ['ValueError', ['attempt 1']]],
      final: { state: 'FAILURE', error: ['ValueError', ['attempt 1']] },
    });
    expect(shape(nest)).toEqual(shape(python));
    const [run0, run1] = runsById.get(nest.id)!;
    expect(run1! - run0!).toBeGreaterThanOrEqual(490);
  }, 60_000);

  it('a Nest caller sees the RETRY states too, and a CeleryRemoteError with the last error', async () => {
    const states: ResultMessage[] = [];
    const result = await client.sendTask('nestops.flaky', [9], {}, { queue: NEST_QUEUE });
    const error = await result.get({ timeout: 15_000, onMessage: (message) => states.push(message) }).catch((e: unknown) => e);
    expect(states.map((s) => s.status)).toEqual(['RETRY', 'RETRY', 'FAILURE']);
    expect(error).toBeInstanceOf(CeleryRemoteError);
    expect(error).toMatchObject({ excType: 'ValueError', excArgs: ['attempt 2'] });
  }, 30_000);

  it("the sample shop's billing.sync.charge rides out a flaky payment gateway: a Python caller sees RETRY, RETRY, SUCCESS", async () => {
    const out = await runPython<{ ok: boolean; result: StatesResult; error?: string }>('ops_client.py', {
      case: 'states',
      task: 'billing.sync.charge',
      queue: BILLING_QUEUE,
      args: ['order-42', 12.5],
    });
    expect(out.ok).toBe(true);
    const { seen, final } = out.result;
    expect(seen.map((s) => [s.status, s.exc?.[0] ?? null])).toEqual([
      ['RETRY', 'PaymentGatewayUnavailable'],
      ['RETRY', 'PaymentGatewayUnavailable'],
      ['SUCCESS', null],
    ]);
    expect(final).toMatchObject({ state: 'SUCCESS', value: { orderId: 'order-42', amount: 12.5, attempts: 3 } });
  }, 30_000);

  it('a backoff longer than etaHoldLimitMs waits in the ETA parking queue, not unacknowledged on the worker', async () => {
    const states: string[] = [];
    const result = await client.sendTask('nestops.parked', [], {}, { queue: PARK_QUEUE });
    const done = result.get({ timeout: 20_000, onMessage: (message) => states.push(message.status) });
    await waitFor(async () => (await queueDepth(BROKER_URL, etaParkingQueueName(PARK_QUEUE))) === 1, { what: 'the retry parked', timeout: 5_000 });
    expect(await done).toBe('charged');
    expect(states).toEqual(['RETRY', 'SUCCESS']);
    const [first, second] = runsById.get(result.id)!;
    expect(second! - first!).toBeGreaterThanOrEqual(2900);
  }, 30_000);
});
