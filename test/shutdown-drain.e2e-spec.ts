/**
 * Shutdown that loses nothing: a Nest worker run as a child process (test/fixtures/shutdown-drain)
 * gets SIGTERM with 50 tasks running. Each task, after SIGTERM, publishes an event
 * (CeleryModule's EventPublisher), calls another task and waits for its result (CeleryModule's
 * CeleryClient) and sends a fire-and-forget task (a ClientsModule CeleryClientProxy). All 50 must
 * finish SUCCESS, every follow-up must arrive, and the process must exit within the drain timeout:
 * for a hybrid app (HTTP + worker) and a pure microservice, closed by the app's own SIGTERM
 * handler or by `enableShutdownHooks`.
 */
import { once } from 'node:events';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { amqplib, CeleryClient, CeleryTask, ServerCelery, TaskArg, type AsyncResult } from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import { startProcess, type ManagedProcess } from './support/child-process.js';
import { deleteExchanges, deleteQueues, queueDepth } from './support/rabbitmq-admin.js';

const WORK_QUEUE = 'drain.work';
const FOLLOW_QUEUE = 'drain.follow';
const AUDIT_QUEUE = 'drain.audit';
const EVENT_QUEUE = 'drain.events';
const TASKS = 50;
const WORK_MS = 1500;
const SHUTDOWN_TIMEOUT_MS = 20_000;

/** Answers the fixture's chained call `drain.echo(n)`. */
@Controller()
class EchoTasks {
  @CeleryTask('drain.echo')
  echo(@TaskArg(0) n: number): string {
    return `echo ${n}`;
  }
}

@Module({ controllers: [EchoTasks] })
class EchoModule {}

let echoWorker: INestMicroservice;
let caller: CeleryClient;

/** Declares the queue that collects the fixture's `drainspec.v1.done` events, empty. */
async function bindEventQueue(): Promise<void> {
  const connection = await amqplib.connect(BROKER_URL);
  try {
    const channel = await connection.createChannel();
    await channel.assertExchange('drainspec', 'topic', { durable: true, autoDelete: false });
    await channel.assertQueue(EVENT_QUEUE, { durable: true });
    await channel.bindQueue(EVENT_QUEUE, 'drainspec', 'drainspec.v1.done');
    await channel.purgeQueue(EVENT_QUEUE);
  } finally {
    await connection.close();
  }
}

function startFixture(mode: string): ManagedProcess {
  return startProcess('drain app', process.execPath, ['--import', '@swc-node/register/esm-register', 'test/fixtures/shutdown-drain/main.ts'], {
    CELERY_BROKER_URL: BROKER_URL,
    DRAIN_MODE: mode,
    DRAIN_WORK_QUEUE: WORK_QUEUE,
    DRAIN_FOLLOW_QUEUE: FOLLOW_QUEUE,
    DRAIN_AUDIT_QUEUE: AUDIT_QUEUE,
    DRAIN_WORK_MS: String(WORK_MS),
    DRAIN_EXPECTED: String(TASKS),
    DRAIN_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  });
}

beforeAll(async () => {
  await deleteQueues(BROKER_URL, WORK_QUEUE, FOLLOW_QUEUE, AUDIT_QUEUE, EVENT_QUEUE);
  echoWorker = await NestFactory.createMicroservice(EchoModule, {
    strategy: new ServerCelery({ brokerUrl: BROKER_URL, queues: [FOLLOW_QUEUE], concurrency: 64, workerEvents: false, remoteControl: false }),
    logger: false,
  });
  await echoWorker.listen();
  caller = new CeleryClient({ brokerUrl: BROKER_URL, defaultQueue: WORK_QUEUE, connectionName: 'drain-e2e-caller' });
  await caller.connect();
}, 60_000);

afterAll(async () => {
  await caller?.close();
  await echoWorker?.close();
  await deleteQueues(BROKER_URL, WORK_QUEUE, FOLLOW_QUEUE, AUDIT_QUEUE, EVENT_QUEUE).catch(() => undefined);
  await deleteExchanges(BROKER_URL, 'drainspec', WORK_QUEUE, FOLLOW_QUEUE, AUDIT_QUEUE).catch(() => undefined);
});

describe.each([
  ['hybrid-close', 'a hybrid app (HTTP + worker) closed by its SIGTERM handler', 0, null],
  ['hybrid-hooks', 'a hybrid app with enableShutdownHooks({ useProcessExit: true })', 0, null],
  ['micro-close', 'a pure microservice closed by its SIGTERM handler', 0, null],
  // Nest re-raises the signal after its shutdown sequence when useProcessExit is off.
  ['micro-hooks', 'a pure microservice with enableShutdownHooks()', null, 'SIGTERM'],
] as const)(`SIGTERM with ${TASKS} tasks running, %s: %s`, (mode, _title, exitCode, exitSignal) => {
  let app: ManagedProcess | undefined;

  afterEach(async () => {
    await app?.stop(2000);
    app = undefined;
  });

  it(`all ${TASKS} finish SUCCESS, every follow-up arrives, the process exits within the drain timeout`, async () => {
    await bindEventQueue();
    await deleteQueues(BROKER_URL, AUDIT_QUEUE);
    app = startFixture(mode);
    await app.waitFor('drain app ready', 60_000);
    if (mode.startsWith('hybrid')) {
      const url = /drain app ready \(\S+\) (\S+)/.exec(app.log)![1]!;
      await expect(fetch(`${url}/health`).then((r) => r.text())).resolves.toBe('ok');
    }

    const results: AsyncResult[] = [];
    for (let n = 0; n < TASKS; n++) results.push(await caller.sendTask('drain.work', [n]));
    await app.waitFor(`drain: ${TASKS} running`, 30_000);

    const exited = once(app.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const signalledAt = Date.now();
    app.child.kill('SIGTERM');
    const [code, signal] = await exited;
    const exitMs = Date.now() - signalledAt;

    await Promise.all(results.map((r) => r.get({ timeout: 5000, propagate: false }).catch(() => undefined)));
    const failed = results.filter((r) => r.state !== 'SUCCESS').map((r) => `${r.id} ${r.state}: ${String(r.error?.message)}`);
    // One comparison, so a failure shows the lost tasks, the follow-up counts and the app's log together.
    expect({
      failed: failed.slice(0, 3),
      failedCount: failed.length,
      events: await queueDepth(BROKER_URL, EVENT_QUEUE),
      audit: await queueDepth(BROKER_URL, AUDIT_QUEUE),
      requeued: await queueDepth(BROKER_URL, WORK_QUEUE),
      exit: { code, signal },
      log: app.log.match(/BrokerClosedError|is closed|drain timeout|could not|failed/i) ? app.log.slice(-3000) : 'clean',
    }).toEqual({
      failed: [],
      failedCount: 0,
      events: TASKS,
      audit: TASKS,
      requeued: 0,
      exit: { code: exitCode, signal: exitSignal },
      log: 'clean',
    });
    expect(await results[7]!.get()).toEqual({ n: 7, echoed: 'echo 7' });
    expect(exitMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    console.log(`${mode}: ${TASKS} tasks drained, exit after SIGTERM in ${exitMs} ms`);
  }, 90_000);
});
