/**
 * Fault injection: the broker stops and starts again (`rabbitmqctl stop_app` / `start_app` on a
 * private RabbitMQ node, never the shared one) while a client process streams tasks to a worker
 * process. Neither process exits; both reconnect; every task the broker confirmed runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readExecutions } from '../support/execution-log.js';
import { eventually, pause } from '../support/eventually.js';
import { countFigures, reportFigures } from '../support/fault-figures.js';
import { startFaultClient, startFaultWorker, type FaultClient, type FaultWorker } from '../support/fault-worker.js';
import { PrivateRabbitMq } from '../support/private-rabbitmq.js';
import { TaskPublisher } from '../support/task-publisher.js';

const QUEUE = 'faults.restart';
const COUNT = 1500;
const PREFETCH = 32;
/** How long the broker stays down: longer than the first reconnect delays, so the processes retry several times. */
const OUTAGE_MS = 4000;
const TYPED_SEND_ERRORS = ['BrokerUnavailableError', 'PublishNotConfirmedError', 'BrokerClosedError'];

describe('fault: broker stop/start under load (private node)', () => {
  let rabbit: PrivateRabbitMq | undefined;
  let dir: string;
  let execLog: string;
  let worker: FaultWorker | undefined;
  let client: FaultClient | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faults-restart-'));
    execLog = join(dir, 'executions.log');
    rabbit = await PrivateRabbitMq.start();
  }, 150_000);

  afterAll(async () => {
    await client?.kill('SIGKILL');
    await worker?.kill('SIGKILL');
    await rabbit?.dispose();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('worker and client processes stay up, reconnect, and every confirmed task runs', async () => {
    const url = rabbit!.url();
    const publisher = await TaskPublisher.open(url);
    await publisher.declareQueue(QUEUE);
    await publisher.close();
    [worker, client] = await Promise.all([
      startFaultWorker({ url, queue: QUEUE, execLog, concurrency: 8, prefetch: PREFETCH }),
      startFaultClient({ url, queue: QUEUE, count: COUNT, ratePerSecond: 100, taskMs: 10, connectionName: 'faults-restart-client' }),
    ]);
    const rssBefore = worker.rssKb();
    await eventually(() => readExecutions(execLog).ended.size >= 100, 30_000, '100 tasks before the stop');
    const confirmedAtStop = client.account().confirmed.length;
    await rabbit!.stopApp();
    await pause(OUTAGE_MS);
    const workerAliveInOutage = worker.alive;
    const clientAliveInOutage = client.alive;
    await rabbit!.startApp();
    await eventually(() => !client!.alive || client!.account().done, 90_000, 'the client to finish', () => client!.log.slice(-500));
    const account = client.account();
    await eventually(() => !worker!.alive || account.confirmed.every((id) => readExecutions(execLog).ended.has(id)), 60_000, 'every confirmed task to run', () => {
      const ended = readExecutions(execLog).ended;
      return `${account.confirmed.filter((id) => ended.has(id)).length}/${account.confirmed.length}`;
    });
    const workerExit = worker.alive ? 'running' : JSON.stringify(await worker.exit);
    const executions = readExecutions(execLog);
    const figures = countFigures(COUNT, account.confirmed, executions);
    const errorNames = [...new Set(account.failed.map((f) => f.error.split(':')[0]!))];
    reportFigures('broker stop/start', {
      ...figures,
      rssBeforeKb: rssBefore,
      rssAfterKb: worker.rssKb(),
      extra: { outageMs: OUTAGE_MS, confirmedAtStop, notConfirmed: account.failed.length, sendErrors: errorNames, workerExit, clientDone: account.done },
    });

    expect(workerAliveInOutage).toBe(true);
    expect(clientAliveInOutage).toBe(true);
    expect(worker.alive).toBe(true);
    expect(account.done).toBe(true);
    expect(figures.lost).toBe(0);
    expect(figures.confirmed + account.failed.length).toBe(COUNT);
    expect(figures.confirmed).toBeGreaterThan(confirmedAtStop);
    for (const name of errorNames) expect(TYPED_SEND_ERRORS).toContain(name);
    expect(figures.executedTwice).toBeLessThanOrEqual(PREFETCH);

    // and it still serves a task sent after all that
    const after = await TaskPublisher.open(url);
    const last = after.publishTask(QUEUE, 'faults.work', [-1, 0]);
    await after.close();
    await eventually(() => readExecutions(execLog).ended.has(last), 20_000, 'a task sent after the restart');
  }, 240_000);
});
