/**
 * The broker password never reaches a worker's output (issue 12, item 6): the Nest interop worker,
 * started as its own process with broker URLs in spellings it refuses (`AMQP://`, `amqp:/`, an
 * unknown scheme; `redis://` is a broker now) and with a wrong password (refused at login, fatal), prints its start-up error
 * with the password masked. (Unit specs cover `inspect conf`/`stats` replies.)
 */
import { BROKER_URL } from './support/broker-url.js';
import { startProcess } from './support/child-process.js';

const SECRET = 'S3cr3tPw';

function startWorker(url: string) {
  return startProcess('interop worker', process.execPath, ['--import', '@swc-node/register/esm-register', 'apps/interop-worker/src/main.ts'], {
    CELERY_BROKER_URL: url,
    INTEROP_QUEUE: 'interop.secrets',
  });
}

describe('broker URL secrets in a worker process output', () => {
  it.each([
    `AMQP://guest:${SECRET}@127.0.0.1:5672//`,
    `amqp:/guest:${SECRET}@127.0.0.1:5672/vh`,
    `sqs://AKIDEXAMPLE:${SECRET}@sqs.eu-west-1.amazonaws.com/`,
  ])('a refused URL (%s) ends the worker with a start-up error that masks the password', async (url) => {
    const worker = startWorker(url);
    try {
      await worker.waitFor('interop worker failed to start', 60_000);
    } finally {
      await worker.stop(); // also when it unexpectedly started: a live worker would keep jest running
    }
    expect(worker.log).toContain('********');
    expect(worker.log).not.toContain(SECRET);
  }, 90_000);

  it('a wrong password: the fatal authentication error and its log line mask it', async () => {
    const target = new URL(BROKER_URL);
    target.password = SECRET;
    const worker = startWorker(target.toString());
    try {
      // Refused credentials are fatal (as in Celery): the worker logs why and exits non-zero.
      await worker.waitFor(/interop worker failed to start: BrokerAuthenticationError/, 60_000);
      expect(worker.log).toContain(`${target.username}:********@`);
    } finally {
      await worker.stop();
    }
    expect(worker.log).not.toContain(SECRET);
  }, 90_000);
});
