/**
 * ETA tasks further off than `etaHoldLimitMs` are parked in `<queue>.eta-parking` (a TTL queue
 * that dead-letters back) instead of being held unacknowledged past RabbitMQ's consumer_timeout.
 * Real RabbitMQ, a real Nest worker, a short hold limit (1 s) so that tasks go round the parking
 * queue within a test.
 */
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx } from '@nestjs/microservices';
import { CeleryClient, CeleryContext, CeleryTask, CeleryTaskRevokedError, ServerCelery, etaParkingQueueName } from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import { deleteQueues, queueDepth, queueExists } from './support/rabbitmq-admin.js';
import { rabbitmqctl } from './support/rabbitmqctl.js';
import { vhostOf } from './support/vhost.js';

const QUEUE = 'e2e.eta-parking';
const HELD_QUEUE = 'e2e.eta-held';
const QUORUM_QUEUE = 'e2e.eta-quorum';
const PARKING = etaParkingQueueName(QUEUE);

interface Run {
  id: string;
  at: number;
  parkedBy: unknown;
}
const runs: Run[] = [];

function xDeathQueues(headers: Record<string, unknown>): unknown {
  const deaths = headers['x-death'];
  return Array.isArray(deaths) ? deaths.map((d) => (d as Record<string, unknown>).queue) : null;
}

@Controller()
class EtaTasks {
  @CeleryTask('eta.record')
  record(@Ctx() ctx: CeleryContext): string {
    runs.push({ id: ctx.id, at: Date.now(), parkedBy: xDeathQueues(ctx.headers) });
    return ctx.id;
  }
}

@Module({ controllers: [EtaTasks] })
class EtaModule {}

async function startWorker(queue: string, etaHoldLimitMs: number | false, queueType?: 'quorum'): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(EtaModule, {
    strategy: new ServerCelery({ brokerUrl: BROKER_URL, queues: [queue], etaHoldLimitMs, queueType }),
    logger: ['error', 'warn'],
  });
  await app.listen();
  return app;
}

let parkingWorker: INestMicroservice;
let holdingWorker: INestMicroservice;
let quorumWorker: INestMicroservice;
let client: CeleryClient;
let quorumClient: CeleryClient;
const ALL_QUEUES = [QUEUE, PARKING, HELD_QUEUE, etaParkingQueueName(HELD_QUEUE), QUORUM_QUEUE, etaParkingQueueName(QUORUM_QUEUE)];

beforeAll(async () => {
  await deleteQueues(BROKER_URL, ...ALL_QUEUES);
  parkingWorker = await startWorker(QUEUE, 1000);
  holdingWorker = await startWorker(HELD_QUEUE, false);
  quorumWorker = await startWorker(QUORUM_QUEUE, 1000, 'quorum');
  client = new CeleryClient({ brokerUrl: BROKER_URL });
  await client.connect();
  quorumClient = new CeleryClient({ brokerUrl: BROKER_URL, queueType: 'quorum' });
  await quorumClient.connect();
}, 30_000);

afterAll(async () => {
  await client?.close();
  await quorumClient?.close();
  await parkingWorker?.close();
  await holdingWorker?.close();
  await quorumWorker?.close();
  await deleteQueues(BROKER_URL, ...ALL_QUEUES);
});

describe('ETA parking (etaHoldLimitMs)', () => {
  it('parks a task due later than the limit, runs it once at its ETA, and leaves the parking queue empty', async () => {
    const sentAt = Date.now();
    const result = await client.sendTask<string>('eta.record', [], {}, { queue: QUEUE, countdown: 2.5 });
    await expect(result.get({ timeout: 10_000 })).resolves.toBe(result.id);
    const mine = runs.filter((r) => r.id === result.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.at).toBeGreaterThanOrEqual(sentAt + 2_400);
    expect(mine[0]!.at).toBeLessThan(sentAt + 5_000);
    // it came back from the parking queue (RabbitMQ's dead-lettering adds x-death)
    expect(mine[0]!.parkedBy).toEqual([PARKING]);
    expect(await queueDepth(BROKER_URL, PARKING)).toBe(0);
  }, 15_000);

  it('holds a task due within the limit on the consumer, without parking it', async () => {
    const sentAt = Date.now();
    const result = await client.sendTask<string>('eta.record', [], {}, { queue: QUEUE, countdown: 0.6 });
    await expect(result.get({ timeout: 10_000 })).resolves.toBe(result.id);
    const mine = runs.filter((r) => r.id === result.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.at).toBeGreaterThanOrEqual(sentAt + 550);
    expect(mine[0]!.parkedBy).toBeNull();
  }, 15_000);

  it('a task that expires while parked comes back and is reported REVOKED (expired), not run', async () => {
    const result = await client.sendTask<string>('eta.record', [], {}, { queue: QUEUE, countdown: 3, expires: 1.5 });
    const error = await result.get({ timeout: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CeleryTaskRevokedError);
    expect(runs.filter((r) => r.id === result.id)).toHaveLength(0);
  }, 15_000);

  it('keeps many parked tasks: every one runs exactly once', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => client.sendTask<string>('eta.record', [], {}, { queue: QUEUE, countdown: 1.5 + (i % 5) * 0.1 })),
    );
    const ids = await Promise.all(results.map((r) => r.get({ timeout: 15_000 })));
    expect(new Set(ids).size).toBe(50);
    for (const r of results) expect(runs.filter((run) => run.id === r.id)).toHaveLength(1);
  }, 30_000);

  it('parks the ETA tasks of a quorum queue in a quorum parking queue (replicated on a cluster), and runs them once', async () => {
    const sentAt = Date.now();
    // a direct exchange: no native delayed delivery, so the task reaches the worker early and is parked
    const result = await quorumClient.sendTask<string>('eta.record', [], {}, { queue: QUORUM_QUEUE, countdown: 2.5 });
    await expect(result.get({ timeout: 10_000 })).resolves.toBe(result.id);
    const mine = runs.filter((r) => r.id === result.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.at).toBeGreaterThanOrEqual(sentAt + 2_400);
    expect(mine[0]!.parkedBy).toEqual([etaParkingQueueName(QUORUM_QUEUE)]);
    const types = await rabbitmqctl(['list_queues', '-p', vhostOf(BROKER_URL), 'name', 'type']);
    expect(types).toMatch(new RegExp(`^${etaParkingQueueName(QUORUM_QUEUE).replace(/\./g, '\\.')}\\s+quorum$`, 'm'));
  }, 15_000);

  it('with etaHoldLimitMs false holds every ETA task like Celery (no parking queue)', async () => {
    const result = await client.sendTask<string>('eta.record', [], {}, { queue: HELD_QUEUE, countdown: 1.5 });
    await expect(result.get({ timeout: 10_000 })).resolves.toBe(result.id);
    expect(runs.find((r) => r.id === result.id)!.parkedBy).toBeNull();
    expect(await queueExists(BROKER_URL, etaParkingQueueName(HELD_QUEUE))).toBe(false);
  }, 15_000);
});
