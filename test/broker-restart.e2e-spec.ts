import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CeleryClient, CeleryTask, ServerCelery, TaskArg } from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import { deleteQueues } from './support/rabbitmq-admin.js';

const QUEUE = 'restart.stream';
const executed = new Map<number, number>();

@Controller()
class CountingTasks {
  @CeleryTask('restart.count', { params: ['n'] })
  count(@TaskArg(0) n: number): number {
    executed.set(n, (executed.get(n) ?? 0) + 1);
    return n;
  }
}

@Module({ controllers: [CountingTasks] })
class CountingModule {}

function rabbitmqctl(...args: string[]): void {
  execFileSync('rabbitmqctl', ['-q', ...args], { stdio: 'ignore', timeout: 120_000 });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(100);
  }
  return condition();
}

/**
 * A broker restart in the middle of a stream of tasks: the worker and the client recover by
 * themselves, and every task whose publish the broker confirmed is executed.
 */
describe('broker restart during a stream of tasks', () => {
  let app: INestMicroservice;
  let server: ServerCelery;
  let client: CeleryClient;

  beforeAll(async () => {
    await deleteQueues(BROKER_URL, QUEUE);
    server = new ServerCelery({ brokerUrl: BROKER_URL, queues: [QUEUE], concurrency: 8 });
    app = await NestFactory.createMicroservice(CountingModule, { strategy: server, logger: ['error', 'warn'] });
    await app.listen();
    client = new CeleryClient({ brokerUrl: BROKER_URL, connectionName: 'restart-test-client' });
    await client.connect();
  });

  afterAll(async () => {
    // Make sure the broker is up for whatever runs next, even if the test failed half-way.
    try {
      rabbitmqctl('start_app');
      rabbitmqctl('await_startup');
    } catch {
      /* already running */
    }
    await client?.close();
    await app?.close();
  });

  it('executes every confirmed task and both sides recover', async () => {
    const confirmed = new Set<number>();
    const failed: string[] = [];
    const statuses: string[] = [];
    client.status$.subscribe((s) => statuses.push(`client:${s}`));
    server.status.subscribe((s) => statuses.push(`server:${s}`));

    let n = 0;
    let streaming = true;
    const inFlight: Promise<void>[] = [];
    const producer = (async () => {
      while (streaming) {
        const id = n++;
        inFlight.push(
          client
            .sendTask('restart.count', [id], {}, { queue: QUEUE, ignoreResult: true, replyTo: null })
            .then(() => void confirmed.add(id))
            .catch((error: Error) => void failed.push(`${id}: ${error.name}: ${error.message}`)),
        );
        await sleep(4);
      }
    })();

    await sleep(1500);
    const beforeStop = confirmed.size;
    rabbitmqctl('stop_app');
    await sleep(2000);
    rabbitmqctl('start_app');
    rabbitmqctl('await_startup');
    await sleep(2500);
    streaming = false;
    await producer;
    await Promise.all(inFlight);

    const allExecuted = await waitUntil(() => [...confirmed].every((id) => executed.has(id)), 45_000);
    const missing = [...confirmed].filter((id) => !executed.has(id));
    const duplicates = [...executed.values()].filter((count) => count > 1).length;

    // After recovery a full RPC round trip works again (reply queue re-declared, consumer resumed).
    const result = await client.sendTask<number>('restart.count', [-1], {}, { queue: QUEUE });
    await expect(result.get({ timeout: 15_000 })).resolves.toBe(-1);

    const report = {
      attempted: n,
      confirmed: confirmed.size,
      confirmedBeforeStop: beforeStop,
      notConfirmed: failed.length,
      executedUnique: executed.size - 1,
      redeliveredDuplicates: duplicates,
      missing: missing.length,
    };
    console.log(`broker restart: ${JSON.stringify(report)}`);
    expect(statuses).toContain('client:reconnecting');
    expect(statuses).toContain('server:reconnecting');
    expect(missing).toEqual([]);
    expect(allExecuted).toBe(true);
    expect(confirmed.size).toBeGreaterThan(beforeStop);
  }, 120_000);
});
