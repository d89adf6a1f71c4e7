import { execFile } from 'node:child_process';
import { Redis } from 'ioredis';
import { CELERY_PYTHON, REDIS_URL } from './broker-url.js';
import { celeryPythonPath } from './celery-version.js';
import { startProcess, type ManagedProcess } from './child-process.js';
import { PYTHON_DIR } from './python.js';

/**
 * The Redis broker URL of a suite: `REDIS_URL`'s server with database `db` (plus
 * `CELERY_TEST_REDIS_DB_OFFSET`, which scripts/test.sh sets for the Celery 5.5 run beside the
 * 5.2 one, so its suites use 10-14). Each Redis broker suite owns a database (5-9) and flushes it at
 * its start.
 */
export function redisBrokerUrl(db: number): string {
  const url = new URL(REDIS_URL);
  url.pathname = `/${db + Number(process.env.CELERY_TEST_REDIS_DB_OFFSET ?? 0)}`;
  return url.toString();
}

/** Empties the suite's database (its queues, bindings, unacked records). */
export async function flushRedisDb(url: string): Promise<void> {
  const redis = new Redis(url);
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

/** A short-lived ioredis connection for a test's own checks. */
export function redisCheck(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 2 });
}

export { runPythonOn } from './python.js';

/** The real Celery CLI on a given broker URL (`celery -A <app> <args…>`); never rejects. */
export function runCeleryCliOn(brokerUrl: string, app: string, args: string[], timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      CELERY_PYTHON,
      ['-m', 'celery', '-A', app, ...args],
      { env: { ...process.env, CELERY_BROKER_URL: brokerUrl, PYTHONPATH: celeryPythonPath(PYTHON_DIR) }, timeout: timeoutMs },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A real Python Celery worker (`celery -A <app> worker -P solo`) on a given broker URL, started and ready. */
export async function startPythonWorkerOn(brokerUrl: string, app: string, queues: string[], name = `py-${process.pid}`, extraArgs: string[] = []): Promise<ManagedProcess> {
  const worker = startProcess(
    `python worker ${app}`,
    CELERY_PYTHON,
    ['-m', 'celery', '-A', app, 'worker', '-P', 'solo', '-c', '1', '-Q', queues.join(','), '-n', `${name}@%h`, '--without-mingle', '--without-gossip', '-l', 'info', ...extraArgs],
    { CELERY_BROKER_URL: brokerUrl, PYTHONPATH: celeryPythonPath(PYTHON_DIR) },
  );
  await worker.waitFor(/ready\./, 60_000);
  return worker;
}

/** Retries `assertion` (expect calls) every 50 ms until it passes; after `timeoutMs` its last failure is thrown. */
export async function until(assertion: () => unknown, options: { timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
