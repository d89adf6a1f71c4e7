/**
 * Fault injection: a slow consumer fed large messages. The worker takes only its prefetch window
 * off the queue (the broker keeps the rest), runs every task once and stays alive; its RSS before
 * and after, and its peaks, are stated.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readExecutions } from '../support/execution-log.js';
import { eventually } from '../support/eventually.js';
import { countFigures, reportFigures } from '../support/fault-figures.js';
import { faultVhost, type FaultVhost } from '../support/fault-vhost.js';
import { startFaultWorker, type FaultWorker } from '../support/fault-worker.js';
import { deleteQueues } from '../support/rabbitmq-admin.js';
import { queueCounts } from '../support/rabbitmqctl.js';
import { TaskPublisher } from '../support/task-publisher.js';

const QUEUE = 'faults.slow';
const MESSAGES = 24;
const MESSAGE_BYTES = 2 * 1024 * 1024;
const BIG_BYTES = 32 * 1024 * 1024;
const TASK_MS = 800;
const CONCURRENCY = 2;
const PREFETCH = 4;
const MiB = 1024;

describe('fault: slow consumer, large messages', () => {
  let vhost: FaultVhost;
  let dir: string;
  let execLog: string;
  let worker: FaultWorker | undefined;
  let publisher: TaskPublisher;
  let sampler: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    vhost = await faultVhost('slow');
    await deleteQueues(vhost.url, QUEUE);
    dir = mkdtempSync(join(tmpdir(), 'faults-slow-'));
    execLog = join(dir, 'executions.log');
    publisher = await TaskPublisher.open(vhost.url);
    await publisher.declareQueue(QUEUE);
  }, 60_000);

  afterAll(async () => {
    clearInterval(sampler);
    await publisher?.close();
    await worker?.kill('SIGKILL');
    await deleteQueues(vhost.url, QUEUE).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`runs ${MESSAGES} x 2 MiB tasks, then one of 32 MiB, once each, while the broker keeps all but its prefetch window`, async () => {
    // the queue fills while the worker boots, so it meets a backlog
    const starting = startFaultWorker({ url: vhost.url, queue: QUEUE, execLog, concurrency: CONCURRENCY, prefetch: PREFETCH });
    const payload = (bytes: number) => randomBytes((bytes * 3) / 4).toString('base64');
    const ids: string[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      ids.push(publisher.publishTask(QUEUE, 'faults.blob', [payload(MESSAGE_BYTES), TASK_MS]));
      if (i % 8 === 7) await publisher.settled();
    }
    await publisher.settled();
    worker = await starting;
    const rssBefore = worker.rssKb();
    let rssPeak = rssBefore;
    sampler = setInterval(() => (rssPeak = Math.max(rssPeak, worker!.rssKb())), 50);
    await eventually(() => readExecutions(execLog).started.size > 0, 30_000, 'the first large task');
    // while the queue is backed up, the broker shows at most the prefetch window unacknowledged
    const depth = await queueCounts(vhost.name, QUEUE);
    const ran = () => `${readExecutions(execLog).ended.size}/${ids.length}`;
    await eventually(() => ids.every((id) => readExecutions(execLog).ended.has(id)), 120_000, 'every large task to run', ran);
    const streamPeak = rssPeak;
    // then one message of 32 MiB
    const big = publisher.publishTask(QUEUE, 'faults.blob', [payload(BIG_BYTES), TASK_MS]);
    ids.push(big);
    await publisher.settled();
    await eventually(() => readExecutions(execLog).ended.has(big), 60_000, 'the 32 MiB task to run');
    clearInterval(sampler);
    const rssAfter = worker.rssKb();

    const executions = readExecutions(execLog);
    const figures = countFigures(ids.length, ids.filter((id) => publisher.account.confirmed.has(id)), executions);
    const streamMiB = (MESSAGES * MESSAGE_BYTES) / 1024 / 1024;
    reportFigures('slow consumer, large messages', {
      ...figures,
      rssBeforeKb: rssBefore,
      rssAfterKb: rssAfter,
      extra: { queuedMiB: streamMiB, readyWhileBusy: depth.ready, unackedWhileBusy: depth.unacknowledged, streamPeakGrowthMiB: Math.round((streamPeak - rssBefore) / MiB), bigPeakGrowthMiB: Math.round((rssPeak - rssBefore) / MiB), rssAfterGrowthMiB: Math.round((rssAfter - rssBefore) / MiB) },
    });

    expect(figures.confirmed).toBe(ids.length);
    expect(figures.lost).toBe(0);
    expect(figures.executedTwice).toBe(0);
    expect(executions.detail.get(big)).toBe(String(BIG_BYTES));
    // the worker never took the queue into memory: the broker kept the rest
    expect(depth.unacknowledged).toBeLessThanOrEqual(PREFETCH);
    expect(depth.ready).toBeGreaterThan(0);
    expect(worker.alive).toBe(true);
  }, 180_000);
});
