import { BROKER_URL } from './broker-url.js';
import { startProcess, type ManagedProcess } from './child-process.js';

/** Starts `npm run interop:worker` (the Nest interop worker) and waits until it consumes. */
export async function startInteropWorker(env: Record<string, string> = {}): Promise<ManagedProcess> {
  const worker = startProcess(
    'interop worker',
    process.execPath,
    ['--import', '@swc-node/register/esm-register', 'apps/interop-worker/src/main.ts'],
    { CELERY_BROKER_URL: BROKER_URL, ...env },
  );
  await worker.waitFor('interop worker ready', 60_000);
  return worker;
}
