import { describe, expect, it } from '@jest/globals';
import type { TaskRequest } from '../protocol/task-message.js';
import { CeleryMetrics } from './celery-metrics.js';

const request = (id: string, task = 'billing.charge') => ({ id, task }) as TaskRequest;

/** The value of one sample line (`name{labels} value`) of a scrape, or undefined. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('CeleryMetrics', () => {
  it('counts each task stage by task name and queue, and times the runs', async () => {
    const metrics = new CeleryMetrics();
    metrics.workerStarted('w@h', [{ name: 'billing.sync', prefetch: 4 }]);
    for (const [id, outcome] of [['a', 'succeeded'], ['b', 'failed'], ['c', 'retried']] as const) {
      metrics.taskReceived('billing.sync', request(id));
      metrics.taskStarted(request(id));
      metrics.taskFinished(request(id), outcome);
      metrics.taskReleased(request(id));
    }
    metrics.taskReceived('billing.sync', request('d'));
    const text = await metrics.scrape();
    const labels = '{task="billing.charge",queue="billing.sync"}';
    expect(sample(text, `celery_tasks_received_total${labels}`)).toBe(4);
    expect(sample(text, `celery_tasks_succeeded_total${labels}`)).toBe(1);
    expect(sample(text, `celery_tasks_failed_total${labels}`)).toBe(1);
    expect(sample(text, `celery_tasks_retried_total${labels}`)).toBe(1);
    expect(sample(text, `celery_task_runtime_seconds_count${labels}`)).toBe(3);
    expect(sample(text, 'celery_tasks_in_flight{queue="billing.sync"}')).toBe(1);
    expect(sample(text, 'celery_prefetch_window_use_ratio{queue="billing.sync"}')).toBe(0.25);
  });

  it('counts rejections with their reason, reconnects, confirms and events', async () => {
    const metrics = new CeleryMetrics({ prefix: 'app_' });
    metrics.taskRejected('undecodable', undefined, 'celery');
    metrics.taskReceived('celery', request('x', 'nope'));
    metrics.taskRejected('not-registered', request('x', 'nope'));
    for (const status of ['connected', 'reconnecting', 'reconnecting', 'connected'] as const) metrics.brokerStatus(status);
    metrics.publishConfirmed(2);
    metrics.publishFailed();
    metrics.eventPublished('order.submitted');
    metrics.eventHandled('order.submitted', 'Billing.onOrder', true);
    metrics.eventHandled('order.submitted', 'Billing.onOrder', false);
    metrics.eventDeadLettered('billing.order-events', 'handler-failed');
    const text = await metrics.scrape();
    expect(sample(text, 'app_tasks_rejected_total{task="",queue="celery",reason="undecodable"}')).toBe(1);
    expect(sample(text, 'app_tasks_rejected_total{task="nope",queue="celery",reason="not-registered"}')).toBe(1);
    expect(sample(text, 'app_broker_reconnects_total')).toBe(1);
    expect(sample(text, 'app_broker_connected')).toBe(1);
    expect(sample(text, 'app_publish_confirm_seconds_count')).toBe(1);
    expect(sample(text, 'app_publish_failures_total')).toBe(1);
    expect(sample(text, 'app_events_published_total{routing_key="order.submitted"}')).toBe(1);
    expect(sample(text, 'app_events_handled_total{routing_key="order.submitted",handler="Billing.onOrder",outcome="failed"}')).toBe(1);
    expect(sample(text, 'app_events_dead_lettered_total{queue="billing.order-events",reason="handler-failed"}')).toBe(1);
  });
});
