import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultBackendFromEnv } from '@app/contracts';
import { CeleryClient } from 'nestjs-celery';
import { OrderDemoDriver } from '../../order/src/demo/order-demo.driver.js';
import { DemoFlowLogger } from './demo-flow.logger.js';
import { DemoMessages } from './demo.messages.js';
import { EmbeddedServices } from './embedded-services.js';

/**
 * `npm run demo` without RabbitMQ: order, billing and logistic in this process on the in-memory
 * broker (`CELERY_BROKER_URL=memory://<vhost>`, default `memory://demo`); the demo driver places
 * orders over HTTP and prints a checked summary, then the order API keeps serving until Ctrl-C.
 * `--exit`: exit after the summary, 0 only if every check held.
 * Settings: ORDER_PORT (3000), ORDER_HOST (127.0.0.1), BILLING_JOURNAL (default: a fresh file per
 * run, removed on exit), LOGISTIC_DISPATCH_DELAY_S (3).
 */
async function main(argv: string[]): Promise<void> {
  const unknown = argv.filter((arg) => arg !== '--exit');
  if (unknown.length > 0) throw new Error(`unknown option(s) ${unknown.join(' ')} (use --exit)`);
  const exitAfter = argv.includes('--exit');
  const brokerUrl = process.env.CELERY_BROKER_URL || 'memory://demo';
  if (!brokerUrl.startsWith('memory://')) throw new Error(DemoMessages.notEmbedded(brokerUrl));
  const say = (line: string) => console.log(DemoFlowLogger.line('demo', line));
  // A fresh journal per run (orders and shipments live in memory too), removed on exit.
  const ownDir = process.env.BILLING_JOURNAL ? undefined : mkdtempSync(join(tmpdir(), 'nestjs-celery-demo-'));
  const journalPath = ownDir ? join(ownDir, 'billing.journal.jsonl') : process.env.BILLING_JOURNAL!;
  say(DemoMessages.embedded(brokerUrl));
  say(DemoMessages.pusherSkipped);
  say(DemoMessages.journal(journalPath, ownDir !== undefined));

  const services = await EmbeddedServices.start({
    brokerUrl,
    port: Number(process.env.ORDER_PORT ?? 3000),
    host: process.env.ORDER_HOST,
    journalPath,
    pushInvoices: false,
    logger: new DemoFlowLogger(),
  }).catch((error: unknown) => {
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    throw error;
  });
  const celery = new CeleryClient({ brokerUrl, services: ['billing', 'logistic'], connectionName: 'demo-driver', ...resultBackendFromEnv() });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say(DemoMessages.stopping);
    await celery.close();
    await services.close();
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(130));
  process.once('SIGTERM', () => void stop(143));

  say(DemoMessages.listening(services.orderUrl));
  let passed = false;
  try {
    const driver = new OrderDemoDriver(services.orderUrl, celery);
    passed = driver.report(await driver.run());
  } catch (error) {
    console.error(DemoMessages.failed(error));
  }
  if (exitAfter) return stop(passed ? 0 : 1);
  if (!passed) process.exitCode = 1;
  say(DemoMessages.serving(services.orderUrl));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(DemoMessages.failed(error));
  process.exit(1);
});
