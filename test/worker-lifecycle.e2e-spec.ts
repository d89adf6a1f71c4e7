/**
 * The worker never exits while it is meant to run. The Nest interop worker runs as its own
 * process (`apps/interop-worker`, as in production) against a private RabbitMQ node that the test
 * stops and starts: through `stop_app`/`start_app` and a full node stop/start it stays alive,
 * reconnects, logs one line per reconnect window and serves tasks again; publishes made during
 * the outage are confirmed afterwards and run. A fatal configuration error (refused credentials)
 * ends it at once with a non-zero exit code and the reason.
 */
import { AmqpBroker, CeleryClient, type AsyncResult } from 'nestjs-celery';
import type { ManagedProcess } from './support/child-process.js';
import { startInteropWorker } from './support/interop-worker.js';
import { PrivateRabbitMq } from './support/private-rabbitmq.js';

const QUEUE = 'lifecycle';
/** The worker's broker URL on the private node as its log shows it. */
const LOST = /connection to amqp:\/\/guest:\*+@127\.0\.0\.1:\d+\/\/ lost; reconnecting/;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function count(log: string, text: string): number {
  return log.split('\n').filter((line) => line.includes(text)).length;
}

describe('worker process lifecycle on a broker outage (private RabbitMQ node)', () => {
  let rabbit: PrivateRabbitMq;
  let worker: ManagedProcess;
  let client: CeleryClient;

  beforeAll(async () => {
    rabbit = await PrivateRabbitMq.start();
    worker = await startInteropWorker({ CELERY_BROKER_URL: rabbit.url(), INTEROP_QUEUE: QUEUE });
    // A connect timeout longer than any outage here: sends made while the node is down wait for it.
    client = new CeleryClient({
      broker: new AmqpBroker({ url: rabbit.url(), connectionName: 'lifecycle-client', connectTimeoutMs: 300_000, logger: silent }),
      defaultQueue: QUEUE,
    });
    await client.connect();
  }, 240_000);

  afterAll(async () => {
    await client?.close();
    await worker?.stop();
    await rabbit?.dispose();
  }, 120_000);

  /** Stops the broker with `stop`, sends tasks meanwhile, starts it with `start`, and checks the worker lived and served them. */
  async function outage(label: string, stop: () => Promise<void>, start: () => Promise<void>): Promise<void> {
    const before = await client.sendTask<number>('interop.add', [1, 2]);
    expect(await before.get({ timeout: 30_000 })).toBe(3);
    const logStart = worker.log.length;

    const stoppedAt = Date.now();
    await stop();
    let during: Promise<AsyncResult<number>>[] = [];
    let downMs: number;
    try {
      await worker.waitFor(LOST, 30_000);
      // Sent while the broker is down: they wait for the connection and must be confirmed after it.
      during = [10, 20, 30].map((x) => client.sendTask<number>('interop.add', [x, 1]));
      during.forEach((sent) => sent.catch(() => undefined)); // awaited below, after the restart
      await sleep(3000);
      expect(worker.child.exitCode).toBeNull();
      expect(worker.child.signalCode).toBeNull();
    } finally {
      // Whatever failed above, the next test needs the broker back.
      await start();
      downMs = Date.now() - stoppedAt;
    }

    const results = await Promise.all(during);
    expect(await Promise.all(results.map((r) => r.get({ timeout: 60_000 })))).toEqual([11, 21, 31]);
    const after = await client.sendTask<number>('interop.add', [40, 2]);
    expect(await after.get({ timeout: 60_000 })).toBe(42);

    const log = worker.log.slice(logStart);
    const cannot = count(log, 'cannot connect to');
    const reconnected = count(log, 'reconnected to');
    console.log(`${label}: broker down ${downMs} ms; worker alive (exit code ${worker.child.exitCode}); ` +
      `${cannot} "cannot connect" line(s), ${reconnected} "reconnected" line(s); 3/3 outage publishes confirmed and executed`);
    expect(worker.child.exitCode).toBeNull();
    expect(reconnected).toBeGreaterThanOrEqual(1);
    // One line per 30 s reconnect window, not one per attempt (the backoff retries every 5 s at most).
    expect(cannot).toBeGreaterThanOrEqual(1);
    expect(cannot).toBeLessThanOrEqual(Math.ceil(downMs / 30_000) + 1);
  }

  it('survives stop_app/start_app, reconnects and serves tasks sent during the outage', async () => {
    await outage('stop_app/start_app', () => rabbit.stopApp(), () => rabbit.startApp());
  }, 300_000);

  it('survives a full node stop and start', async () => {
    await outage('node stop/start', () => rabbit.stopNode(), () => rabbit.startNode());
  }, 300_000);

  it('exits non-zero with the reason when the broker refuses its credentials', async () => {
    const refused = rabbit.url().replace('guest:guest@', 'guest:wrong-password@');
    const started = Date.now();
    const failure = await startInteropWorker({ CELERY_BROKER_URL: refused, INTEROP_QUEUE: QUEUE }).then(
      () => new Error('the worker started with a wrong password'),
      (error: Error) => error,
    );
    const elapsed = Date.now() - started;
    console.log(`wrong password: worker exited after ${elapsed} ms (boot included)`);
    expect(failure.message).toMatch(/exited with 1/);
    expect(failure.message).toMatch(/BrokerAuthenticationError.*refused the login/);
    // Fatal at the first attempt: no retries, no connect timeout (on a loaded machine the boot alone takes ~20 s).
    expect(failure.message).not.toMatch(/cannot connect to|not reachable within/);
    expect(failure.message).not.toContain('wrong-password');
    expect(elapsed).toBeLessThan(60_000);
  }, 60_000);
});

const silent = { log: () => undefined, error: () => undefined, warn: () => undefined };
