/**
 * Issue 18, metrics: a hybrid Nest app (HTTP + ServerCelery worker) with `nestjs-celery/metrics`
 * against the real RabbitMQ. Tasks that succeed, fail, retry and are not registered, a domain
 * event handled and one dead-lettered; `GET /metrics` counts exactly what happened.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Module, type INestApplication } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import { NestFactory } from '@nestjs/core';
import { OrderChargedBack } from '@app/contracts';
import { CeleryClient, CeleryContext, CeleryModule, CeleryTask, EventPublisher, getEventPublisherToken, OnEvent, ServerCelery, TaskArg } from 'nestjs-celery';
import { CeleryMetrics, CeleryMetricsModule } from 'nestjs-celery/metrics';
import { BROKER_URL } from './support/broker-url.js';
import { eventually } from './support/eventually.js';
import { freePort } from './support/free-port.js';
import { deleteExchanges, deleteQueues } from './support/rabbitmq-admin.js';

const QUEUE = 'metrics-e2e.tasks';
const SERVICE = 'metricse2e';
const EVENT_QUEUE = `${SERVICE}.order-events`;

@Controller()
class MetricsTasks {
  @CeleryTask('metrics.ok')
  ok(@TaskArg(0) n: number): number {
    return n * 2;
  }

  @CeleryTask('metrics.fail')
  fail(): never {
    throw new Error('card declined');
  }

  @CeleryTask('metrics.retry')
  retry(@Ctx() ctx: CeleryContext): string {
    if (ctx.retries < 1) throw ctx.retry({ countdown: 0, maxRetries: 1 });
    return 'second try';
  }

  @OnEvent(OrderChargedBack)
  onChargeback(event: OrderChargedBack): void {
    if (event.reason === 'boom') throw new Error('ledger unavailable');
  }
}

let app: INestApplication;
let client: CeleryClient;
let base: string;

/** One sample's value from the scrape (`name{labels}` exactly), 0 when absent. */
async function sample(series: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

beforeAll(async () => {
  await deleteQueues(BROKER_URL, QUEUE, EVENT_QUEUE, `${SERVICE}.dead-letter`);
  await deleteExchanges(BROKER_URL, `${SERVICE}.dead-letter`);
  const metrics = new CeleryMetrics();
  const server = new ServerCelery({ brokerUrl: BROKER_URL, queues: [QUEUE], service: SERVICE, observer: metrics });

  @Module({
    imports: [CeleryModule.forRoot({ brokerUrl: BROKER_URL, defaultQueue: QUEUE, observer: metrics }), CeleryMetricsModule.forRoot({ metrics })],
    controllers: [MetricsTasks],
  })
  class MetricsApp {}

  app = await NestFactory.create(MetricsApp, { logger: false });
  app.connectMicroservice({ strategy: server });
  await app.init();
  await app.startAllMicroservices();
  const port = await freePort();
  await app.listen(port, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
  client = app.get(CeleryClient);
});

afterAll(async () => {
  await app?.close();
  await deleteQueues(BROKER_URL, QUEUE, EVENT_QUEUE, `${SERVICE}.dead-letter`);
  await deleteExchanges(BROKER_URL, `${SERVICE}.dead-letter`);
});

describe('GET /metrics (nestjs-celery/metrics)', () => {
  it('counts tasks by outcome, times them, and counts publish confirms', async () => {
    const labels = (task: string) => `{task="${task}",queue="${QUEUE}"}`;
    for (let i = 0; i < 3; i++) await expect((await client.sendTask('metrics.ok', [i])).get({ timeout: 10_000 })).resolves.toBe(i * 2);
    await expect((await client.sendTask('metrics.fail')).get({ timeout: 10_000 })).rejects.toThrow('card declined');
    await expect((await client.sendTask('metrics.retry')).get({ timeout: 10_000 })).resolves.toBe('second try');
    await client.sendTask('metrics.unknown', [], {}, { ignoreResult: true });
    await eventually(async () => (await sample(`celery_tasks_rejected_total{task="metrics.unknown",queue="${QUEUE}",reason="not-registered"}`)) === 1, 10_000, 'the unknown task rejected');

    expect(await sample(`celery_tasks_received_total${labels('metrics.ok')}`)).toBe(3);
    expect(await sample(`celery_tasks_succeeded_total${labels('metrics.ok')}`)).toBe(3);
    expect(await sample(`celery_task_runtime_seconds_count${labels('metrics.ok')}`)).toBe(3);
    expect(await sample(`celery_tasks_failed_total${labels('metrics.fail')}`)).toBe(1);
    expect(await sample(`celery_tasks_received_total${labels('metrics.retry')}`)).toBe(2);
    expect(await sample(`celery_tasks_retried_total${labels('metrics.retry')}`)).toBe(1);
    expect(await sample(`celery_tasks_succeeded_total${labels('metrics.retry')}`)).toBe(1);
    expect(await sample(`celery_tasks_in_flight{queue="${QUEUE}"}`)).toBe(0);
    expect(await sample(`celery_prefetch_window_use_ratio{queue="${QUEUE}"}`)).toBe(0);
    // 6 client sends and the worker's retry republish, each confirmed
    expect(await sample('celery_publish_confirm_seconds_count')).toBe(7);
    expect(await sample('celery_broker_connected')).toBe(1);
  });

  it('counts domain events published, handled and dead-lettered', async () => {
    const publisher = app.get<EventPublisher>(getEventPublisherToken());
    await publisher.publish(Object.assign(new OrderChargedBack(), { orderId: 'o-1', reason: 'fraud' }));
    await publisher.publish(Object.assign(new OrderChargedBack(), { orderId: 'o-2', reason: 'boom' }));
    await eventually(
      async () => (await sample(`celery_events_dead_lettered_total{queue="${EVENT_QUEUE}",reason="handler-failed"}`)) === 1,
      10_000,
      'the failing event dead-lettered',
    );
    const handled = (outcome: string) => `celery_events_handled_total{routing_key="order.v1.chargeback",handler="MetricsTasks.onChargeback",outcome="${outcome}"}`;
    expect(await sample('celery_events_published_total{routing_key="order.v1.chargeback"}')).toBe(2);
    expect(await sample(handled('ok'))).toBe(1);
    expect(await sample(handled('failed'))).toBe(1);
  });
});
