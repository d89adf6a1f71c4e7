import { fileURLToPath } from 'node:url';
import { BROKER_URL, CELERY_PYTHON } from './broker-url.js';
import { celeryPythonPath } from './celery-version.js';
import { startProcess, type ManagedProcess } from './child-process.js';

/** Folder of the example Python pusher service. */
export const PUSHER_DIR = fileURLToPath(new URL('../../examples/python-pusher/', import.meta.url));

/** The pusher's queue (part of its contract with billing). */
export const PUSHER_QUEUE = 'pusher';

/**
 * Starts examples/python-pusher (real Celery 5.2.6, `-P solo`) writing its objects into
 * `bucketDir`, on `brokerUrl` (default the e2e RabbitMQ), and waits until it is ready.
 */
export async function startPythonPusher(bucketDir: string, brokerUrl = BROKER_URL): Promise<ManagedProcess> {
  const worker = startProcess(
    'python pusher',
    CELERY_PYTHON,
    ['-m', 'celery', '-A', 'pusher_app', 'worker', '-P', 'solo', '-c', '1', '-Q', PUSHER_QUEUE, '-n', `pusher-${process.pid}@%h`,
      '--without-mingle', '--without-gossip', '-l', 'info'],
    { CELERY_BROKER_URL: brokerUrl, PYTHONPATH: celeryPythonPath(PUSHER_DIR), PUSHER_BUCKET_DIR: bucketDir },
  );
  await worker.waitFor(/ready\./, 60_000);
  return worker;
}
