/**
 * Fault injection: the worker process itself dies. SIGTERM is a warm shutdown (stop consuming,
 * finish what runs, ack, exit); SIGKILL mid-flight loses nothing with late acks (the default):
 * the broker redelivers the unacknowledged tasks to the next worker, as with Celery's
 * `acks_late`. Workers run as their own processes; executions are counted from their log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readExecutions, interruptedIn } from '../support/execution-log.js';
import { eventually } from '../support/eventually.js';
import { countFigures, reportFigures } from '../support/fault-figures.js';
import { faultVhost, type FaultVhost } from '../support/fault-vhost.js';
import { startFaultWorker, type FaultWorker } from '../support/fault-worker.js';
import { deleteQueues } from '../support/rabbitmq-admin.js';
import { TaskPublisher } from '../support/task-publisher.js';

const QUEUE = 'faults.crash';
const WORKER = { queue: QUEUE, concurrency: 4, prefetch: 8, shutdownTimeoutMs: 20_000 };

describe('fault: the worker process dies', () => {
  let vhost: FaultVhost;
  let dir: string;
  let execLog: string;
  let publisher: TaskPublisher;
  const workers: FaultWorker[] = [];
  /** The worker that takes over after the one under test died. */
  let successor: FaultWorker | undefined;

  const confirmedOf = (ids: string[]) => ids.filter((id) => publisher.account.confirmed.has(id));
  const start = async () => {
    const worker = await startFaultWorker({ url: vhost.url, execLog, ...WORKER });
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    vhost = await faultVhost('crash');
    await deleteQueues(vhost.url, QUEUE);
    dir = mkdtempSync(join(tmpdir(), 'faults-crash-'));
    execLog = join(dir, 'executions.log');
    publisher = await TaskPublisher.open(vhost.url);
    await publisher.declareQueue(QUEUE);
  }, 60_000);

  afterAll(async () => {
    await publisher?.close();
    await Promise.all(workers.map((worker) => worker.kill('SIGKILL')));
    await deleteQueues(vhost.url, QUEUE).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGTERM drains: running tasks finish and are acked, the rest stays queued for the next worker', async () => {
    const worker = await start();
    const rssBefore = worker.rssKb();
    const ids = await publisher.stream(QUEUE, 16, Infinity, 800);
    await publisher.settled();
    await eventually(() => readExecutions(execLog).started.size >= 4, 30_000, '4 running tasks');
    const rssAfter = worker.rssKb();
    const runningAtSignal = interruptedIn(execLog, worker.pid);
    const signalled = Date.now();
    const exit = await worker.kill('SIGTERM');
    const drainMs = Date.now() - signalled;
    const interrupted = interruptedIn(execLog, worker.pid);

    successor = await start();
    await eventually(() => ids.every((id) => readExecutions(execLog).ended.has(id)), 60_000, 'every task to run', () => `${readExecutions(execLog).ended.size}/${ids.length} ran`);
    const executions = readExecutions(execLog);
    const figures = countFigures(ids.length, confirmedOf(ids), executions);
    const finishedByFirst = ids.filter((id) => executions.endedBy.get(id)?.[0] === worker.pid).length;
    reportFigures('SIGTERM drain', {
      ...figures,
      rssBeforeKb: rssBefore,
      rssAfterKb: rssAfter,
      extra: {
        runningAtSignal: runningAtSignal.length,
        interrupted: interrupted.length,
        finishedByFirst,
        twiceOfRunningAtSignal: figures.twiceIds.filter((id) => runningAtSignal.includes(id)).length,
        drainMs,
        exit: exit.signal ?? exit.code,
      },
    });

    expect(runningAtSignal.length).toBeGreaterThan(0);
    expect(interrupted).toEqual([]);
    // Nest's shutdown hook re-raises the signal after close(): killed by SIGTERM, or exit code 0; never a crash code.
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    expect(worker.log).not.toMatch(/still running after the drain timeout/);
    expect(figures.confirmed).toBe(ids.length);
    expect(figures.lost).toBe(0);
    expect(figures.executedTwice).toBe(0);
    expect(successor.alive).toBe(true);
  }, 120_000);

  it('SIGKILL mid-flight: the unacknowledged tasks are redelivered to the next worker and run to the end (late acks)', async () => {
    const worker = successor ?? (await start());
    const rssBefore = worker.rssKb();
    const before = readExecutions(execLog).ended.size;
    const ids = await publisher.stream(QUEUE, 32, Infinity, 400);
    await publisher.settled();
    await eventually(() => readExecutions(execLog).ended.size >= before + 8, 30_000, '8 finished tasks');
    await eventually(() => interruptedIn(execLog, worker.pid).length > 0, 10_000, 'a task in flight');
    const rssAfter = worker.rssKb();
    const exit = await worker.kill('SIGKILL');
    const interrupted = interruptedIn(execLog, worker.pid);

    const next = await start();
    await eventually(() => ids.every((id) => readExecutions(execLog).ended.has(id)), 60_000, 'every task to run', () => `${ids.filter((id) => readExecutions(execLog).ended.has(id)).length}/${ids.length} ran`);
    const executions = readExecutions(execLog);
    const figures = countFigures(ids.length, confirmedOf(ids), executions);
    reportFigures('SIGKILL mid-flight', {
      ...figures,
      rssBeforeKb: rssBefore,
      rssAfterKb: rssAfter,
      extra: { interrupted: interrupted.length, redeliveredAndRun: interrupted.filter((id) => executions.endedBy.get(id)?.[0] === next.pid).length },
    });

    expect(exit.signal).toBe('SIGKILL');
    expect(interrupted.length).toBeGreaterThan(0);
    // every task cut off by the kill runs again, once, on the next worker
    for (const id of interrupted) expect({ id, endedBy: executions.endedBy.get(id) }).toEqual({ id, endedBy: [next.pid] });
    expect(figures.confirmed).toBe(ids.length);
    expect(figures.lost).toBe(0);
    // a task finished whose ack had not left yet when the process died runs twice (at-least-once,
    // as Celery with acks_late); acks go out at the end of the tick, so at most the prefetch window
    expect(figures.executedTwice).toBeLessThanOrEqual(WORKER.prefetch);
    expect(next.alive).toBe(true);
  }, 120_000);
});
