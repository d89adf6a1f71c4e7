import 'reflect-metadata';
import { resultBackendFromEnv } from '@app/contracts';
import { CeleryClient } from 'nestjs-celery';
import { OrderDemoDriver } from './order-demo.driver.js';

/**
 * Runs the demo against running services: the order API at `ORDER_URL` (default
 * http://127.0.0.1:3000) and billing / logistic on `CELERY_BROKER_URL`. Exits 1 if a check fails.
 */
async function main(): Promise<void> {
  const celery = new CeleryClient({ connectionName: 'order-demo', services: ['billing', 'logistic'], ...resultBackendFromEnv() });
  try {
    const driver = new OrderDemoDriver(process.env.ORDER_URL ?? `http://127.0.0.1:${process.env.ORDER_PORT ?? 3000}`, celery);
    if (!driver.report(await driver.run())) process.exitCode = 1;
  } finally {
    await celery.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
