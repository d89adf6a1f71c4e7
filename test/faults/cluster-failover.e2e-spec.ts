/**
 * Failover across a real 3-node RabbitMQ cluster (issue 16, point 5), started and stopped by
 * `scripts/rabbitmq-cluster.sh`. A client process streams 5,000 tasks to a quorum queue consumed by
 * two worker processes connected to the other nodes, and publishes events that both workers'
 * services consume; mid-stream a node is SIGKILLed and later booted again:
 *
 * 1. the node the client is connected to (not the queue's leader);
 * 2. the node that leads the queue (one worker is connected to it).
 *
 * Every task the broker confirmed runs (duplicates counted: a publish repeated after a lost
 * confirm, or a delivery redelivered after a lost ack); sends that could not be confirmed fail
 * with a typed error; the processes fail over to the other nodes within seconds; every confirmed
 * event reaches both services.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { amqplib, BrokerUnavailableError, CeleryClient } from 'nestjs-celery';
import { readExecutions } from '../support/execution-log.js';
import { eventually } from '../support/eventually.js';
import { countFigures, reportFigures } from '../support/fault-figures.js';
import { startFaultClient, startFaultWorker, type FaultClient, type FaultWorker } from '../support/fault-worker.js';
import { RabbitMqCluster } from '../support/rabbitmq-cluster.js';

const COUNT = 5000;
const RATE = 500;
const TYPED_SEND_ERRORS = ['BrokerUnavailableError', 'PublishNotConfirmedError', 'BrokerClosedError'];

type Node = 1 | 2 | 3;

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('fault: SIGKILL of a cluster node under load (3-node cluster, quorum queues)', () => {
  let cluster: RabbitMqCluster | undefined;
  let dir: string;
  const processes: Array<FaultWorker | FaultClient> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faults-cluster-'));
    cluster = await RabbitMqCluster.start();
  }, 400_000);

  afterAll(async () => {
    for (const process of processes) await process.kill('SIGKILL');
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  /** Declares `queue` as a quorum queue through `node`, so that node leads it. */
  async function declareLedBy(queue: string, node: Node): Promise<void> {
    const connection = await amqplib.connect(cluster!.url(node));
    try {
      const channel = await connection.createChannel();
      await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    } finally {
      await connection.close();
    }
  }

  /** Event ids received per worker pid (`V <id> <pid>` lines). */
  function eventsBy(execLog: string, pid: number): Set<string> {
    let text = '';
    try {
      text = readFileSync(execLog, 'utf8');
    } catch {
      return new Set();
    }
    return new Set(text.split('\n').filter((line) => line.startsWith('V ') && line.endsWith(` ${pid}`)).map((line) => line.split(' ')[1]!));
  }

  async function scenario(name: string, queue: string, leader: Node, clientNode: Node, kill: Node, services: [string, string]): Promise<void> {
    const execLog = join(dir, `${queue}.log`);
    await declareLedBy(queue, leader);
    expect(await cluster!.leaderOf(queue, leader)).toBe(leader);
    const workerNodes = ([1, 2, 3] as const).filter((n) => n !== clientNode);
    const workers = await Promise.all(
      workerNodes.map((node, i) =>
        startFaultWorker({
          url: cluster!.urls(node).join(';'),
          queue,
          execLog,
          concurrency: 16,
          env: { FAULT_QUEUE_TYPE: 'quorum', FAULT_SERVICE: services[i]!, FAULT_WORKER_EVENTS: '0' },
        }),
      ),
    );
    processes.push(...workers);
    const client = await startFaultClient({
      url: cluster!.urls(clientNode).join(';'),
      queue,
      count: COUNT,
      ratePerSecond: RATE,
      connectionName: `cluster-client-${queue}`,
      env: { FAULT_QUEUE_TYPE: 'quorum', FAULT_EVENTS_PER_SECOND: '20' },
    });
    processes.push(client);
    await eventually(() => client.account().confirmed.length >= COUNT / 4, 60_000, 'a quarter of the tasks confirmed');
    const before = client.account().confirmed.length;
    const killedAt = Date.now();
    await cluster!.kill(kill);
    // The client fails over when its confirms resume; measured from the kill.
    await eventually(() => client.account().confirmed.length > before + 50, 60_000, 'confirms resuming after the kill');
    const failoverMs = Date.now() - killedAt;
    // A send that cannot be confirmed (its only node is down) rejects with a typed error in time.
    const stranded = new CeleryClient({ brokerUrl: cluster!.url(kill), brokerConnection: { operationTimeoutMs: 2000 }, resultBackend: 'disabled', logger: silent });
    await expect(stranded.sendTask('faults.work', [0, 0], {}, { queue, ignoreResult: true })).rejects.toBeInstanceOf(BrokerUnavailableError);
    await stranded.close();
    await eventually(() => client.account().done, 240_000, 'the client finished', () => client.log.slice(-500));
    const rebooting = cluster!.boot(kill);
    const account = client.account();
    const confirmed = new Set(account.confirmed);
    await eventually(
      () => [...confirmed].every((id) => (readExecutions(execLog).ended.get(id) ?? 0) > 0),
      180_000,
      'every confirmed task executed',
      () => `${[...confirmed].filter((id) => !readExecutions(execLog).ended.has(id)).length} not yet`,
      500,
    );
    const events = client.log.split('\n').filter((l) => l.startsWith('EC ')).map((l) => l.slice(3).trim());
    await eventually(
      () => workers.every((worker) => events.every((id) => eventsBy(execLog, worker.pid).has(id))),
      120_000,
      'every confirmed event at both services',
    );
    await rebooting;
    const figures = countFigures(COUNT, account.confirmed, readExecutions(execLog));
    reportFigures(name, {
      ...figures,
      rssBeforeKb: 0,
      rssAfterKb: workers[0]!.rssKb(),
      extra: {
        failoverMs,
        sendFailures: account.failed.length,
        failedAs: [...new Set(account.failed.map((f) => f.error.split(':')[0]))].join('/'),
        events: events.length,
      },
    });
    expect(figures.lost).toBe(0);
    expect(account.confirmed.length + account.failed.length).toBe(COUNT);
    const untyped = [...new Set(account.failed.map((f) => f.error).filter((error) => !TYPED_SEND_ERRORS.some((name) => error.startsWith(name))))];
    expect(untyped).toEqual([]);
    expect(failoverMs).toBeLessThan(20_000);
    expect(events.length).toBeGreaterThan(20);
    for (const worker of workers) expect(worker.alive).toBe(true);
    expect(client.log).not.toMatch(/fault client failed/);
    for (const worker of workers) await worker.kill('SIGTERM');
  }

  it('the node the client is connected to: client fails over, every confirmed task runs, events keep flowing', async () => {
    await scenario('cluster: client node killed', 'cf.client-node', 2, 1, 1, ['cfa', 'cfb']);
  }, 600_000);

  it('the node leading the queue: a new leader takes over, every confirmed task runs, events keep flowing', async () => {
    await scenario('cluster: queue leader killed', 'cf.leader', 3, 1, 3, ['cfc', 'cfd']);
  }, 600_000);
});
