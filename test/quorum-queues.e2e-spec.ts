/**
 * Quorum queues and Celery 5.5's native delayed delivery (issue 16, points 3 and 4), against real
 * Celery 5.5.2 on a private RabbitMQ node whose `consumer_timeout` is 5 s: a delivery held
 * unacknowledged longer closes its channel, so countdowns of 12 s only work when they wait in
 * RabbitMQ (the `celery_delayed_*` queues) rather than on a worker.
 *
 * - a Celery 5.5 worker and a Nest worker consume one quorum queue (both declare it, no 406);
 * - a Python 5.5 client's countdown tasks (1 s, 12 s) reach a Nest worker on time;
 * - a Nest client's countdown tasks reach a Celery 5.5 worker on time, through `celery_delayed_27`;
 * - a message redelivered more than the delivery limit is dead-lettered with reason `delivery-limit`.
 */
import { execFile } from 'node:child_process';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx } from '@nestjs/microservices';
import { amqplib, CeleryClient, CeleryContext, CeleryTask, ServerCelery, TaskArg } from 'nestjs-celery';
import { CELERY_PYTHON } from './support/broker-url.js';
import { celeryPythonPath } from './support/celery-version.js';
import { startProcess, type ManagedProcess } from './support/child-process.js';
import { eventually } from './support/eventually.js';
import { PrivateRabbitMq } from './support/private-rabbitmq.js';
import { PYTHON_DIR } from './support/python.js';

// Every Python process of this file is Celery 5.5.2 (quorum mode is a Celery 5.5 feature).
process.env.CELERY_SERIES = '5.5';

const runs: Array<{ task: string; tag: unknown; at: number }> = [];

@Controller()
class QuorumTasks {
  @CeleryTask('qs.sync.stamp')
  shared(@TaskArg(0) tag: unknown): { ran_at: number; by: string; tag: unknown } {
    runs.push({ task: 'qs', tag, at: Date.now() });
    return { ran_at: Date.now(), by: 'nest', tag };
  }

  @CeleryTask('qd.sync.stamp')
  delayed(@TaskArg(0) tag: unknown): number {
    runs.push({ task: 'qd', tag, at: Date.now() });
    return Date.now();
  }

  @CeleryTask('qe.stamp')
  held(@TaskArg(0) tag: unknown): number {
    runs.push({ task: 'qe', tag, at: Date.now() });
    return Date.now();
  }

  @CeleryTask('ql.sync.stamp')
  limited(@Ctx() ctx: CeleryContext): string {
    runs.push({ task: 'ql', tag: ctx.id, at: Date.now() });
    return ctx.id;
  }
}

@Module({ controllers: [QuorumTasks] })
class QuorumModule {}

let rabbit: PrivateRabbitMq;
const started: INestMicroservice[] = [];
const processes: ManagedProcess[] = [];
const warnings: string[] = [];

const logger = {
  log: () => undefined,
  error: (message: unknown) => warnings.push(String(message)),
  warn: (message: unknown) => warnings.push(String(message)),
};

async function nestWorker(service: string): Promise<ServerCelery> {
  const server = new ServerCelery({ brokerUrl: rabbit.url(), service, queueType: 'quorum', concurrency: 4, logger, workerEvents: false });
  const app = await NestFactory.createMicroservice(QuorumModule, { strategy: server, logger: false });
  await app.listen();
  started.push(app);
  return server;
}

async function pythonWorker(service: string): Promise<ManagedProcess> {
  const worker = startProcess(
    `celery 5.5 worker ${service}`,
    CELERY_PYTHON,
    ['-m', 'celery', '-A', 'quorum_app', 'worker', '-P', 'solo', '-c', '1', '-Q', `${service}.sync`, '-n', `py-${service}@%h`,
      '--without-mingle', '--without-gossip', '-l', 'info'],
    { CELERY_BROKER_URL: rabbit.url(), QUORUM_SERVICES: service, PYTHONPATH: celeryPythonPath(PYTHON_DIR) },
  );
  processes.push(worker);
  await worker.waitFor(/ready\./, 90_000);
  return worker;
}

function pythonClient(service: string, calls: unknown[]): Promise<{ sent: Array<{ id: string; sent_at: number }>; published: Array<{ exchange: string; routing_key: string }> }> {
  return new Promise((resolve, reject) => {
    execFile(
      CELERY_PYTHON,
      [`${PYTHON_DIR}quorum_app.py`, JSON.stringify({ calls })],
      { env: { ...process.env, CELERY_BROKER_URL: rabbit.url(), QUORUM_SERVICES: service, PYTHONPATH: celeryPythonPath(PYTHON_DIR) }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`quorum_app.py failed: ${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').pop()!));
      },
    );
  });
}

async function queueTypes(): Promise<Map<string, string>> {
  const listed = await rabbit.ctl('list_queues', '-p', '/', 'name', 'type');
  return new Map(listed.split('\n').map((line) => line.trim().split(/\s+/) as [string, string]).filter(([name]) => name));
}

async function withChannel<T>(work: (channel: import('amqplib').Channel) => Promise<T>): Promise<T> {
  const connection = await amqplib.connect(rabbit.url());
  try {
    return await work(await connection.createChannel());
  } finally {
    await connection.close().catch(() => undefined);
  }
}

beforeAll(async () => {
  rabbit = await PrivateRabbitMq.start({ extraConfig: () => 'consumer_timeout = 5000' });
}, 180_000);

afterAll(async () => {
  for (const app of started) await app.close().catch(() => undefined);
  for (const worker of processes) await worker.stop().catch(() => undefined);
  await rabbit?.dispose();
}, 120_000);

describe('quorum queues with Celery 5.5.2', () => {
  it('a Celery 5.5 worker and a Nest worker share one quorum queue: both declare it, no 406, both run tasks', async () => {
    const python = await pythonWorker('qs');
    await nestWorker('qs');
    const client = new CeleryClient({ brokerUrl: rabbit.url(), services: ['qs'], queueType: 'quorum', logger });
    try {
      const results = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => (await client.sendTask<{ by: string }>('qs.sync.stamp', [i])).get({ timeout: 30_000 })),
      );
      const by = new Set(results.map((result) => result.by));
      expect(by).toEqual(new Set(['nest', 'python']));
    } finally {
      await client.close();
    }
    const types = await queueTypes();
    expect(types.get('qs.sync')).toBe('quorum');
    expect(types.get('qs.dead-letter')).toBe('quorum');
    expect(python.log).not.toMatch(/PRECONDITION|inequivalent/);
    expect(warnings.join('\n')).not.toMatch(/PRECONDITION|inequivalent|NOT_IMPLEMENTED/);
  }, 180_000);

  it("a Python 5.5 client's countdown tasks (1 s and 12 s, past the 5 s consumer_timeout) reach a Nest worker on time", async () => {
    await nestWorker('qd');
    const { sent, published } = await pythonClient('qd', [
      { task: 'qd.sync.stamp', args: ['short'], countdown: 1 },
      { task: 'qd.sync.stamp', args: ['long'], countdown: 12 },
    ]);
    expect(published.map((p) => p.exchange)).toEqual(['celery_delayed_27', 'celery_delayed_27']);
    await eventually(() => runs.filter((r) => r.task === 'qd').length === 2, 40_000, 'both delayed tasks ran', () => JSON.stringify(runs));
    const ran = (tag: string) => runs.find((r) => r.task === 'qd' && r.tag === tag)!.at;
    expect(ran('short') - sent[0]!.sent_at).toBeGreaterThanOrEqual(900);
    expect(ran('short') - sent[0]!.sent_at).toBeLessThan(4000);
    expect(ran('long') - sent[1]!.sent_at).toBeGreaterThanOrEqual(11_900);
    expect(ran('long') - sent[1]!.sent_at).toBeLessThan(16_000);
    expect(warnings.join('\n')).not.toMatch(/consumer channel .* failed|PRECONDITION/);
  }, 120_000);

  it("a Nest client's countdown tasks wait in celery_delayed_* and reach a Celery 5.5 worker on time", async () => {
    await pythonWorker('qp');
    const client = new CeleryClient({ brokerUrl: rabbit.url(), services: ['qp'], queueType: 'quorum', logger });
    try {
      const sentAt = Date.now();
      const short = await client.sendTask<{ ran_at: number }>('qp.sync.stamp', ['short'], {}, { countdown: 1 });
      const long = await client.sendTask<{ ran_at: number }>('qp.sync.stamp', ['long'], {}, { countdown: 12 });
      // 12 s = 0b1100: the message waits in level 3 (8 s), then level 2 (4 s), in RabbitMQ.
      const level3 = await withChannel((channel) => channel.checkQueue('celery_delayed_3'));
      expect(level3.messageCount).toBe(1);
      const [shortRun, longRun] = await Promise.all([short.get({ timeout: 30_000 }), long.get({ timeout: 30_000 })]);
      expect(shortRun.ran_at - sentAt).toBeGreaterThanOrEqual(900);
      expect(shortRun.ran_at - sentAt).toBeLessThan(5000);
      expect(longRun.ran_at - sentAt).toBeGreaterThanOrEqual(11_900);
      expect(longRun.ran_at - sentAt).toBeLessThan(17_000);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('ETA tasks held on a quorum queue with prefetch 1 do not stall the tasks behind them (per-consumer QoS is raised by re-consuming)', async () => {
    // Celery's queue= topology (direct exchange) cannot use native delayed delivery: ETA tasks are held.
    const server = new ServerCelery({
      brokerUrl: rabbit.url(),
      queues: [{ name: 'qe', queueType: 'quorum' }],
      concurrency: 1,
      prefetchCount: 1,
      logger,
      workerEvents: false,
    });
    const app = await NestFactory.createMicroservice(QuorumModule, { strategy: server, logger: false });
    await app.listen();
    started.push(app);
    const client = new CeleryClient({ brokerUrl: rabbit.url(), defaultQueue: 'qe', queueType: 'quorum', logger });
    try {
      const sentAt = Date.now();
      const held = await Promise.all([1, 2].map((i) => client.sendTask<number>('qe.stamp', [`eta-${i}`], {}, { countdown: 5 })));
      const plain = await client.sendTask<number>('qe.stamp', ['plain']);
      const plainRanAt = await plain.get({ timeout: 20_000 });
      expect(plainRanAt - sentAt).toBeLessThan(3000);
      for (const result of held) expect((await result.get({ timeout: 20_000 })) - sentAt).toBeGreaterThanOrEqual(4900);
    } finally {
      await client.close();
    }
    expect(warnings.join('\n')).toMatch(/queue 'qe' is bound to direct exchange/);
  }, 60_000);

  it('a message redelivered past the delivery limit is dead-lettered with reason delivery-limit, never run', async () => {
    // Redeliver one task 20 times (as crashing workers would), then let the Nest worker see it.
    await withChannel(async (channel) => {
      await channel.assertQueue('ql.sync', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      channel.sendToQueue('ql.sync', Buffer.from('[[], {}, {}]'), {
        headers: { task: 'ql.sync.stamp', id: 'poison-1' },
        contentType: 'application/json',
        contentEncoding: 'utf-8',
      });
      for (let i = 0; i < 20; i++) {
        let message: import('amqplib').GetMessage | false = false;
        await eventually(async () => (message = await channel.get('ql.sync')) !== false, 10_000, 'the task back in ql.sync');
        channel.nack(message as unknown as import('amqplib').Message, false, true);
      }
    });
    await nestWorker('ql');
    const deadLetter = await withChannel(async (channel) => {
      let message: import('amqplib').GetMessage | false = false;
      await eventually(async () => (message = await channel.get('ql.dead-letter', { noAck: true })) !== false, 20_000, 'a dead letter');
      return message as unknown as import('amqplib').GetMessage;
    });
    expect(deadLetter.properties.headers).toMatchObject({
      id: 'poison-1',
      'x-celery-rejected-reason': 'delivery-limit',
      'x-original-queue': 'ql.sync',
    });
    expect(String(deadLetter.properties.headers!['x-celery-rejected-detail'])).toMatch(/delivered 21 times .*delivery limit of 20/);
    expect(runs.filter((r) => r.task === 'ql')).toEqual([]);
  }, 120_000);
});
