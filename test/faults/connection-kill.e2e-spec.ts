/**
 * Fault injection: `rabbitmqctl close_connection` on the worker's and the client's connections
 * while a client process streams tasks. Both reconnect by themselves; every task the broker
 * confirmed runs; a send the broker did not confirm fails with a typed error the caller can catch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readExecutions } from '../support/execution-log.js';
import { eventually } from '../support/eventually.js';
import { countFigures, reportFigures } from '../support/fault-figures.js';
import { faultVhost, type FaultVhost } from '../support/fault-vhost.js';
import { startFaultClient, startFaultWorker, type FaultClient, type FaultWorker } from '../support/fault-worker.js';
import { deleteQueues } from '../support/rabbitmq-admin.js';
import { closeConnections } from '../support/rabbitmqctl.js';
import { TaskPublisher } from '../support/task-publisher.js';

const QUEUE = 'faults.connkill';
const CLIENT = 'faults-connkill-client';
const PREFETCH = 32;
const ROUNDS = 2;
/** Tasks the client sends, at 100 per second: long enough for both kill rounds (rabbitmqctl takes seconds). */
const COUNT = 2500;
const TYPED_SEND_ERRORS = ['BrokerUnavailableError', 'PublishNotConfirmedError', 'BrokerClosedError'];

describe('fault: connections killed under load', () => {
  let vhost: FaultVhost;
  let dir: string;
  let execLog: string;
  let worker: FaultWorker | undefined;
  let client: FaultClient | undefined;

  beforeAll(async () => {
    vhost = await faultVhost('connkill');
    await deleteQueues(vhost.url, QUEUE);
    dir = mkdtempSync(join(tmpdir(), 'faults-connkill-'));
    execLog = join(dir, 'executions.log');
  }, 60_000);

  afterAll(async () => {
    await client?.kill('SIGKILL');
    await worker?.kill('SIGKILL');
    await deleteQueues(vhost.url, QUEUE).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('worker and client recover from close_connection; every confirmed task runs', async () => {
    [worker, client] = await Promise.all([
      startFaultWorker({ url: vhost.url, queue: QUEUE, execLog, concurrency: 8, prefetch: PREFETCH }),
      startFaultClient({ url: vhost.url, queue: QUEUE, count: COUNT, ratePerSecond: 100, taskMs: 20, connectionName: CLIENT }),
    ]);
    const rssBefore = worker.rssKb();
    const closed: string[][] = [];
    const confirmedAtKill: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // wait for traffic after the previous round (the client confirms again, the worker runs again)
      const confirmed = client.account().confirmed.length;
      const ran = readExecutions(execLog).ended.size;
      await eventually(() => client!.account().confirmed.length > confirmed + 50 && readExecutions(execLog).ended.size > ran + 50, 30_000, `traffic before kill round ${round + 1}`);
      confirmedAtKill.push(client.account().confirmed.length);
      closed.push(await closeConnections(vhost.name, (name) => name === worker!.connectionName || name === CLIENT));
    }
    await eventually(() => client!.account().done, 60_000, 'the client to finish', () => client!.log.slice(-500));
    const account = client.account();
    await eventually(() => account.confirmed.every((id) => readExecutions(execLog).ended.has(id)), 60_000, 'every confirmed task to run', () => {
      const ended = readExecutions(execLog).ended;
      return `${account.confirmed.filter((id) => ended.has(id)).length}/${account.confirmed.length}`;
    });

    // after all that, a fresh publisher's task still runs
    const publisher = await TaskPublisher.open(vhost.url);
    const last = publisher.publishTask(QUEUE, 'faults.work', [-1, 0]);
    await publisher.close();
    await eventually(() => readExecutions(execLog).ended.has(last), 20_000, 'a task sent after the kills');

    const executions = readExecutions(execLog);
    const figures = countFigures(COUNT, account.confirmed, executions);
    const errorNames = [...new Set(account.failed.map((f) => f.error.split(':')[0]!))];
    reportFigures('connection kill', {
      ...figures,
      rssBeforeKb: rssBefore,
      rssAfterKb: worker.rssKb(),
      extra: { rounds: ROUNDS, closed: closed.map((names) => names.length), notConfirmed: account.failed.length, sendErrors: errorNames, confirmedAtKill },
    });

    for (const names of closed) expect(names.sort()).toEqual([CLIENT, worker.connectionName].sort());
    expect(figures.lost).toBe(0);
    expect(figures.confirmed + account.failed.length).toBe(COUNT);
    // the client kept confirming after each kill
    expect(account.confirmed.length).toBeGreaterThan(confirmedAtKill[ROUNDS - 1]!);
    // a send that was not confirmed failed with one of the library's typed errors
    for (const name of errorNames) expect(TYPED_SEND_ERRORS).toContain(name);
    // a task finished whose ack died with its channel runs again: at most one prefetch window per kill
    expect(figures.executedTwice).toBeLessThanOrEqual(ROUNDS * PREFETCH);
    expect(worker.alive).toBe(true);
    // one warning per lost connection (the wording is the broker's `connection … lost` line)
    expect(worker.log.split('\n').filter((line) => /WARN.*connection .* lost/.test(line))).toHaveLength(ROUNDS);
  }, 180_000);
});
