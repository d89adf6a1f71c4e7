/**
 * Fault injection: the broker password must not appear in any output of a worker or client
 * process: start-up errors of every URL spelling, connect and reconnect lines, remote-control
 * replies (`inspect conf`, `stats`, `report`), dead letters, and the client's errors. The suite
 * makes a RabbitMQ user of its own (rights on its own vhost only) with a password that cannot
 * occur by chance, and removes it afterwards.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_URL } from '../support/broker-url.js';
import { eventually } from '../support/eventually.js';
import { readExecutions } from '../support/execution-log.js';
import { countFigures, reportFigures } from '../support/fault-figures.js';
import { faultVhost, type FaultVhost } from '../support/fault-vhost.js';
import { startFaultClient, startFaultWorker, FaultProcess, type FaultWorker } from '../support/fault-worker.js';
import { startProcess } from '../support/child-process.js';
import { takeDeadLetters } from '../support/dead-letters.js';
import { deleteExchanges, deleteQueues } from '../support/rabbitmq-admin.js';
import { closeConnections, rabbitmqctl } from '../support/rabbitmqctl.js';
import { TaskPublisher } from '../support/task-publisher.js';
import { fileURLToPath } from 'node:url';

const QUEUE = 'faults.secrets';
const DLX = 'faults.secrets.dlx';
const USER = `faults-secret-${process.pid}`;
const PASSWORD = `Pw-${randomBytes(9).toString('hex')}`;
const WRONG_PASSWORD = `Wrong-${randomBytes(9).toString('hex')}`;
const WORKER_MAIN = fileURLToPath(new URL('./fixtures/fault-worker.main.ts', import.meta.url));
const REPLY_KEY = 'faults-secrets-oid';
const REPLY_QUEUE = `${REPLY_KEY}.reply.celery.pidbox`;

/** Every spelling the password could leak in. */
const leaks = (text: string): string[] =>
  [PASSWORD, encodeURIComponent(PASSWORD), Buffer.from(PASSWORD).toString('base64'), WRONG_PASSWORD].filter((secret) => text.includes(secret));

describe('fault: secrets in every output', () => {
  let vhost: FaultVhost;
  let dir: string;
  let url: string;
  let worker: FaultWorker | undefined;
  const outputs: Array<{ what: string; text: string }> = [];

  beforeAll(async () => {
    vhost = await faultVhost('secrets');
    await rabbitmqctl(['add_user', USER, PASSWORD]).catch(() => rabbitmqctl(['change_password', USER, PASSWORD]));
    await rabbitmqctl(['set_permissions', '-p', vhost.name, USER, '.*', '.*', '.*']);
    url = `amqp://${USER}:${PASSWORD}@127.0.0.1:5672/${encodeURIComponent(vhost.name)}`;
    dir = mkdtempSync(join(tmpdir(), 'faults-secrets-'));
  }, 60_000);

  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await deleteQueues(vhost.url, QUEUE, `${DLX}.queue`, REPLY_QUEUE).catch(() => undefined);
    await deleteExchanges(vhost.url, QUEUE, DLX).catch(() => undefined);
    await rabbitmqctl(['delete_user', USER]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('never prints or replies with the broker password', async () => {
    // a working worker and client with the password, through a reconnect, a dead letter and inspect replies
    worker = await startFaultWorker({ url, queue: QUEUE, execLog: join(dir, 'executions.log'), dlx: DLX });
    // then start-ups with URLs that cannot work (after the good worker booted: seven processes booting at once starve a 2-core machine): each process either exits with its reason or logs its retries
    const failing: Array<[string, string]> = [
      ['wrong password', `amqp://${USER}:${WRONG_PASSWORD}@127.0.0.1:5672/${encodeURIComponent(vhost.name)}`],
      ['upper-case scheme, closed port', `AMQP://${USER}:${PASSWORD}@127.0.0.1:1/x`],
      ['amqp:/ spelling', `amqp:/${USER}:${PASSWORD}@127.0.0.1:5672/x`],
      ['redis scheme', `redis://${USER}:${PASSWORD}@${new URL(REDIS_URL).host}/15`], // the e2e Redis (CELERY_REDIS_URL), refusing these credentials
      ['IPv6 literal, closed port', `amqp://${USER}:${PASSWORD}@[::1]:1/x`],
      ['percent-encoded password', `amqp://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:1/x`],
    ];
    const starts = failing.map(([what, badUrl]) => {
      const child = new FaultProcess(startProcess(`worker ${what}`, process.execPath, ['--import', '@swc-node/register/esm-register', WORKER_MAIN], {
        NO_COLOR: '1',
        CELERY_BROKER_URL: badUrl,
        FAULT_QUEUE: QUEUE,
        FAULT_NODE_NAME: `faults-secrets-bad-${randomUUID().slice(0, 8)}@localhost`,
      }));
      return { what, child };
    });

    const rssBefore = worker.rssKb();
    const client = await startFaultClient({ url, queue: QUEUE, count: 20, ratePerSecond: 50, connectionName: 'faults-secrets-client' });
    await eventually(() => client.account().done, 60_000, 'the client to finish');
    await closeConnections(vhost.name, (name) => name === worker!.connectionName);
    await eventually(() => /lost/.test(worker!.log), 20_000, 'the worker to see its connection lost');

    const publisher = await TaskPublisher.open(url, 'faults-secrets-publisher');
    await publisher.declareQueue(QUEUE);
    await publisher.publishRaw('', QUEUE, Buffer.from('{not json'), { messageId: 'secret-poison', contentType: 'application/json' });
    const channel = publisher.channel;
    await channel.assertExchange('reply.celery.pidbox', 'direct', { durable: false, autoDelete: false });
    await channel.assertQueue(REPLY_QUEUE, { durable: false, autoDelete: false });
    await channel.bindQueue(REPLY_QUEUE, 'reply.celery.pidbox', REPLY_KEY);
    const methods = ['conf', 'stats', 'report', 'active_queues', 'registered', 'ping'];
    const replies: string[] = [];
    await eventually(async () => {
      for (const method of methods) {
        const body = { method, arguments: method === 'conf' ? { with_defaults: true } : {}, destination: [worker!.nodeName], pattern: null, matcher: null, ticket: randomUUID(), reply_to: { exchange: 'reply.celery.pidbox', routing_key: REPLY_KEY } };
        await publisher.publishRaw('celery.pidbox', '', Buffer.from(JSON.stringify(body)), { messageId: `inspect-${method}-${randomUUID()}`, contentType: 'application/json', mandatory: false });
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (;;) {
        const message = await channel.get(REPLY_QUEUE, { noAck: true });
        if (!message) break;
        replies.push(message.content.toString('utf8'));
      }
      return replies.length >= methods.length;
    }, 30_000, 'the inspect replies');
    await eventually(async () => {
      const letters = await takeDeadLetters(url, `${DLX}.queue`);
      for (const letter of letters) outputs.push({ what: 'dead letter headers', text: JSON.stringify(letter.headers) });
      return letters.length > 0;
    }, 20_000, 'the dead letter');
    await publisher.close();

    // the failing start-ups: wait until each exited or printed something about its broker, then stop it
    for (const { what, child } of starts) {
      await eventually(() => !child.alive || /connect|broker|url|refused|ACCESS|fail/i.test(child.log), 60_000, `output of the worker with ${what}`).catch(() => undefined);
      const exit = child.alive ? await child.kill('SIGTERM', 10_000) : await child.exit;
      outputs.push({ what: `worker with ${what} (exit ${exit.signal ?? exit.code})`, text: child.log });
    }
    const rssAfter = worker.rssKb();
    const exit = await worker.kill('SIGTERM');
    outputs.push({ what: `worker (exit ${exit.signal ?? exit.code})`, text: worker.log });
    outputs.push({ what: 'client', text: client.log });
    for (const reply of replies) outputs.push({ what: 'inspect reply', text: reply });

    const leaked = outputs.map(({ what, text }) => ({ what, leaks: leaks(text) })).filter((o) => o.leaks.length > 0);
    reportFigures('secrets in every output', {
      ...countFigures(20, client.account().confirmed, readExecutions(join(dir, 'executions.log'))),
      deadLettered: { 'not-json': 1 },
      rssBeforeKb: rssBefore,
      rssAfterKb: rssAfter,
      extra: { outputsChecked: outputs.length, bytesChecked: outputs.reduce((n, o) => n + o.text.length, 0), leaked: leaked.map((l) => l.what) },
    });
    expect(replies.some((reply) => reply.includes(USER))).toBe(true); // the replies do name the broker (user kept, password masked)
    expect(leaked.map(({ what }) => ({ what, excerpt: excerpt(outputs.find((o) => o.what === what)!.text) }))).toEqual([]);
  }, 240_000);
});

/** The lines around the first leak, with the secret itself replaced, for the failure message. */
function excerpt(text: string): string {
  const lines = text.split('\n').filter((line) => leaks(line).length > 0).slice(0, 3);
  return lines.map((line) => line.replaceAll(PASSWORD, '<PASSWORD>').replaceAll(WRONG_PASSWORD, '<WRONG_PASSWORD>').slice(0, 300)).join('\n');
}
