import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ServerCelery, type ResultBackendUrl } from 'nestjs-celery';
import { InteropWorkerModule } from './interop-worker.module.js';

/**
 * `npm run interop:worker`: a Nest worker consuming queue `interop` on `CELERY_BROKER_URL`,
 * built only from the public API. Interop tests run it beside real Python Celery.
 * `CELERY_RESULT_BACKEND` (`rpc://` by default, or `redis://host:port/db`) is where results go, as
 * for a Celery worker; `CELERY_RESULT_EXTENDED=1` and `CELERY_TRACK_STARTED=1` are Celery's
 * `result_extended` and `task_track_started`.
 */
async function bootstrap(): Promise<void> {
  const server = new ServerCelery({
    brokerUrl: process.env.CELERY_BROKER_URL,
    queues: [process.env.INTEROP_QUEUE ?? 'interop'],
    defaultQueue: process.env.INTEROP_QUEUE ?? 'interop',
    deadLetter: process.env.INTEROP_DLX ? { exchange: process.env.INTEROP_DLX } : undefined,
    concurrency: 8,
    resultBackend: (process.env.CELERY_RESULT_BACKEND || undefined) as ResultBackendUrl | undefined,
    resultExtended: process.env.CELERY_RESULT_EXTENDED === '1',
    trackStarted: process.env.CELERY_TRACK_STARTED === '1',
  });
  const app = await NestFactory.createMicroservice(InteropWorkerModule, { strategy: server });
  app.enableShutdownHooks();
  await app.listen();
  console.log(`interop worker ready: ${server.hostname}`);
}

bootstrap().catch((error: unknown) => {
  console.error('interop worker failed to start:', error);
  process.exit(1);
});
