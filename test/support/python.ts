import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BROKER_URL, CELERY_PYTHON } from './broker-url.js';
import { celeryPythonPath } from './celery-version.js';
import { startProcess, type ManagedProcess } from './child-process.js';

/** Folder of the Python helpers used by the e2e tests. */
export const PYTHON_DIR = fileURLToPath(new URL('../python/', import.meta.url));

/**
 * Runs `test/python/<script>` with Debian's Python and the selected Celery (5.2.6, or 5.5.2 in the
 * `e2e-celery55` project: see celery-version.ts), passing `input` as JSON on argv[1], and parses
 * the last stdout line as JSON.
 */
export function runPython<T = unknown>(script: string, input: unknown = {}, timeoutMs = 60_000): Promise<T> {
  return runPythonOn(BROKER_URL, script, input, timeoutMs);
}

/** {@link runPython} on a given broker URL (e.g. a Redis broker), with extra environment variables. */
export function runPythonOn<T = unknown>(brokerUrl: string, script: string, input: unknown = {}, timeoutMs = 60_000, env: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      CELERY_PYTHON,
      [PYTHON_DIR + script, JSON.stringify(input)],
      { env: { ...process.env, ...env, CELERY_BROKER_URL: brokerUrl, PYTHONPATH: celeryPythonPath(PYTHON_DIR) }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${script} failed: ${error.message}\n${stderr}\n${stdout}`));
        const lines = stdout.trim().split('\n');
        try {
          resolve(JSON.parse(lines[lines.length - 1]!) as T);
        } catch {
          reject(new Error(`${script} printed no JSON result:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

/** Runs the real Celery CLI, `celery -A <app> <args…>`, on the tests' vhost; never rejects. */
export function runCeleryCli(app: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      CELERY_PYTHON,
      ['-m', 'celery', '-A', app, ...args],
      { env: { ...process.env, CELERY_BROKER_URL: BROKER_URL, PYTHONPATH: celeryPythonPath(PYTHON_DIR) }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Starts a real Python Celery worker of the selected series (`celery -A <app> worker`) on `queues` and waits until
 * it is ready. `app` is a module in test/python.
 */
export async function startPythonWorker(app: string, queues: string[], extraArgs: string[] = []): Promise<ManagedProcess> {
  const worker = startProcess(
    `python worker ${app}`,
    CELERY_PYTHON,
    ['-m', 'celery', '-A', app, 'worker', '-P', 'solo', '-c', '1', '-Q', queues.join(','), '-n', `py-${process.pid}@%h`,
      '--without-mingle', '--without-gossip', '-l', 'info', ...extraArgs],
    { CELERY_BROKER_URL: BROKER_URL, PYTHONPATH: celeryPythonPath(PYTHON_DIR) },
  );
  await worker.waitFor(/ready\./, 60_000);
  return worker;
}
