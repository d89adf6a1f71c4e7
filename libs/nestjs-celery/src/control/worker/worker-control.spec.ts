import { describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import type { ConsumeMessage, Options } from 'amqplib';
import type { ConsumeOptions, ConsumerHandle } from '../../broker/amqp-broker.js';
import type { Delivery } from '../../broker/delivery.js';
import type { Topology } from '../../broker/topology.js';
import { WorkerControl, type WorkerControlOptions } from './worker-control.js';

/** Records what the worker declares, consumes and replies. */
class RecordingBroker {
  readonly declared: Topology[] = [];
  readonly consumed: Array<{ queue: string; options: ConsumeOptions }> = [];
  readonly replies: Array<{ exchange: string; routingKey: string; body: unknown; options: Options.Publish }> = [];
  cancelled = 0;
  async declare(topology: Topology): Promise<void> {
    this.declared.push(topology);
  }
  async consume(queue: string, _onDelivery: (d: Delivery) => void, options: ConsumeOptions): Promise<ConsumerHandle> {
    this.consumed.push({ queue, options });
    return { queue, setPrefetch: async () => undefined, cancel: async () => void this.cancelled++ };
  }
  async publish(): Promise<void> {
    throw new Error('control replies are unconfirmed');
  }
  publishUnconfirmed(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): void {
    this.replies.push({ exchange, routingKey, body: JSON.parse(content.toString()), options });
  }
}

function logger(): LoggerService & { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  return { log: () => undefined, error: (m: string) => errors.push(m), warn: (m: string) => warnings.push(m), errors, warnings };
}

function delivery(body: unknown, headers: Record<string, unknown> = { clock: 5 }, contentType = 'application/json'): Delivery {
  const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const message = { content, fields: {}, properties: { contentType, headers } } as unknown as ConsumeMessage;
  return { message, ack: () => undefined, reject: () => undefined };
}

const REPLY_TO = { exchange: 'reply.celery.pidbox', routing_key: 'oid-1' };

async function started(log = logger(), extra: Partial<WorkerControlOptions> = {}) {
  const broker = new RecordingBroker();
  const control = new WorkerControl({
    ...extra,
    hostname: 'nest1@vm',
    concurrency: 4,
    prefetchCount: 16,
    brokerUrl: 'amqp://guest:guest@localhost/h7',
    acksEarly: false,
    registeredTasks: () => ['t.b', 't.a'],
    activeQueues: () => [],
    logger: log,
  });
  await control.start(broker);
  return { broker, log, control };
}

describe('WorkerControl (worker side of the pidbox)', () => {
  it('declares the mailbox and consumes it without acks', async () => {
    const { broker, control } = await started();
    expect(broker.declared[0]!.queues![0]!.name).toBe('nest1@vm.celery.pidbox');
    expect(broker.consumed).toEqual([{ queue: 'nest1@vm.celery.pidbox', options: { prefetch: 0, noAck: true } }]);
    await control.stop();
    await control.stop();
    expect(broker.cancelled).toBe(1);
  });

  it('warns when a second worker of this process starts with the same node name', async () => {
    const first = await started();
    const second = await started();
    expect(first.log.warnings).toEqual([]);
    expect(second.log.warnings).toEqual([expect.stringContaining("already answers remote control as 'nest1@vm'")]);
    await second.control.stop();
    await first.control.stop();
    const third = await started();
    expect(third.log.warnings).toEqual([]);
    await third.control.stop();
  });

  it('replies {hostname: reply} to reply_to with the ticket and a forwarded clock header', async () => {
    const { broker, control } = await started();
    control.onDelivery(delivery({ method: 'ping', arguments: {}, destination: null, pattern: null, matcher: null, ticket: 'tk', reply_to: REPLY_TO }));
    expect(broker.replies).toEqual([
      {
        exchange: 'reply.celery.pidbox',
        routingKey: 'oid-1',
        body: { 'nest1@vm': { ok: 'pong' } },
        options: { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 1, headers: { ticket: 'tk', clock: 7 } },
      },
    ]);
  });

  it('runs casts without replying, and skips requests for other nodes', async () => {
    const { broker, control } = await started();
    control.onDelivery(delivery({ method: 'revoke', arguments: { task_id: 'x' } }));
    expect(control.isRevoked('x')).toBe(true);
    control.onDelivery(delivery({ method: 'revoke', arguments: { task_id: 'y' }, destination: ['other@vm'] }));
    expect(control.isRevoked('y')).toBe(false);
    control.onDelivery(delivery({ method: 'ping', destination: ['other@vm'], ticket: 't', reply_to: REPLY_TO }));
    expect(broker.replies).toEqual([]);
  });

  it('answers unknown commands and bad arguments with the error shape, one log line each', async () => {
    const { broker, log, control } = await started();
    control.onDelivery(delivery({ method: 'nosuch', ticket: 't1', reply_to: REPLY_TO }));
    control.onDelivery(delivery({ method: 'ping', arguments: 'x', ticket: 't2', reply_to: REPLY_TO }));
    control.onDelivery(delivery({ method: 'revoke', arguments: {}, ticket: 't3', reply_to: REPLY_TO }));
    expect(broker.replies.map((r) => r.body)).toEqual([
      { 'nest1@vm': { error: "KeyError('nosuch')" } },
      { 'nest1@vm': { error: "TypeError('ping() argument after ** must be a mapping, not str')" } },
      { 'nest1@vm': { error: 'TypeError("revoke() missing 1 required positional argument: \'task_id\'")' } },
    ]);
    expect(log.errors).toHaveLength(3);
    expect(log.errors[0]).toBe("nest1@vm control command 'nosuch' failed: KeyError('nosuch')");
  });

  it('drops unreadable messages with one log line and no reply', async () => {
    const { broker, log, control } = await started();
    control.onDelivery(delivery('not json'));
    control.onDelivery(delivery('[1]'));
    control.onDelivery(delivery({ method: 'ping' }, {}, 'application/x-python-serialize'));
    expect(broker.replies).toEqual([]);
    expect(log.errors).toHaveLength(3);
    expect(log.errors[1]).toBe('nest1@vm dropped a malformed control message: body is a list, not an object');
  });

  it('does not publish to a reply exchange other than reply.celery.pidbox', async () => {
    const { broker, log, control } = await started();
    control.onDelivery(delivery({ method: 'ping', ticket: 't', reply_to: { exchange: 'amq.direct', routing_key: 'x' } }));
    expect(broker.replies).toEqual([]);
    expect(log.errors[0]).toContain("reply exchange 'amq.direct' is not the pidbox reply exchange");
  });

  it('sends worker-online on startEvents, heartbeats on request, worker-offline on stop; task events only when on', async () => {
    const { broker, control } = await started(logger(), { taskEvents: false });
    await control.startEvents(broker);
    expect(broker.declared[1]).toEqual({ exchanges: [{ name: 'celeryev', type: 'topic', durable: true }] });
    expect(control.taskEvents).toBeUndefined();
    control.onDelivery(delivery({ method: 'heartbeat', arguments: {} }));
    control.onDelivery(delivery({ method: 'enable_events', arguments: {}, ticket: 'e1', reply_to: REPLY_TO }));
    expect(control.taskEvents).toBeDefined();
    control.onDelivery(delivery({ method: 'disable_events', arguments: {}, ticket: 'e2', reply_to: REPLY_TO }));
    expect(control.taskEvents).toBeUndefined();
    await control.stop();
    const events = broker.replies.filter((r) => r.exchange === 'celeryev');
    expect(events.map((e) => e.routingKey)).toEqual(['worker.online', 'worker.heartbeat', 'worker.offline']);
    expect(events[0]!.body).toMatchObject({ hostname: 'nest1@vm', sw_ident: 'nestjs-celery', freq: 2, active: 0, processed: 0 });
    const replies = broker.replies.filter((r) => r.exchange !== 'celeryev').map((r) => r.body);
    expect(replies).toEqual([{ 'nest1@vm': { ok: 'task events enabled' } }, { 'nest1@vm': { ok: 'task events disabled' } }]);
  });

  it('reports conf with Celery names, the password masked and the live task events flag', async () => {
    const { control } = await started(logger(), { taskEvents: true, settings: { result_backend: 'rpc://', task_default_queue: 'celery' } });
    expect(control.conf()).toEqual({
      broker_url: 'amqp://guest:********@localhost:5672/h7',
      broker_heartbeat: 30,
      worker_concurrency: 4,
      worker_prefetch_multiplier: 4,
      task_acks_late: true,
      worker_send_task_events: true,
      result_backend: 'rpc:///',
      task_default_queue: 'celery',
    });
    control.setTaskEvents(false);
    expect(control.conf().worker_send_task_events).toBe(false);
    await control.stop();
  });

  it('exposes the worker facts the commands read', async () => {
    const { control } = await started();
    expect(control.registeredTasks()).toEqual(['t.b', 't.a']);
    expect([control.hostname, control.concurrency, control.prefetchCount, control.heartbeatSeconds, control.acksEarly]).toEqual([
      'nest1@vm', 4, 16, 30, false,
    ]);
  });
});
