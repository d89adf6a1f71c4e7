import { describe, expect, it } from '@jest/globals';
import type { ConsumeMessage } from 'amqplib';
import type { Delivery } from '../../broker/delivery.js';
import type { TaskRequest } from '../../protocol/task-message.js';
import { CeleryContext } from '../../runtime/celery-context.js';
import { WorkerActivity } from './worker-activity.js';

function request(id: string, eta: Date | null = null): TaskRequest {
  return { id, task: 'nest.add', args: [1, 2], kwargs: {}, headers: {}, priority: null, eta } as unknown as TaskRequest;
}

function delivery(): Delivery {
  const message = { fields: { exchange: 'ex', routingKey: 'q', redelivered: true }, properties: {} } as unknown as ConsumeMessage;
  return { message, ack: () => undefined, reject: () => undefined };
}

const WAITING = {
  name: 'nest.add',
  args: [1, 2],
  kwargs: {},
  type: 'nest.add',
  hostname: 'w@h',
  time_start: null,
  acknowledged: false,
  delivery_info: { exchange: 'ex', routing_key: 'q', priority: null, redelivered: true },
  worker_pid: null,
};

describe('WorkerActivity: reserved, scheduled and active requests', () => {
  it('a reserved request waits for a slot until it starts, then is active only; release forgets it', () => {
    const activity = new WorkerActivity();
    const req = request('r1');
    activity.reserve(req, delivery());
    expect(activity.reserved('w@h')).toEqual([{ id: 'r1', ...WAITING }]);
    expect(activity.scheduled('w@h')).toEqual([]);

    const ctx = new CeleryContext(req, delivery().message, 'w@h');
    activity.start(ctx);
    expect(activity.reserved('w@h')).toEqual([]);
    expect(activity.info(false, false)).toHaveLength(1);
    expect(activity.activeCount).toBe(1);
    activity.finish(ctx);
    activity.release(req);
    expect(activity.reserved('w@h')).toEqual([]);
    expect(activity.activeCount).toBe(0);
  });

  it('a request with a future ETA is scheduled ({eta, priority 6, request}); once due it is reserved', () => {
    const activity = new WorkerActivity();
    const eta = new Date(Date.now() + 60_000);
    const later = request('s1', eta);
    const due = request('s2', new Date(Date.now() - 1));
    activity.reserve(later, delivery());
    activity.reserve(due, delivery());
    expect(activity.scheduled('w@h')).toEqual([
      { eta: `${eta.toISOString().slice(0, 23)}000+00:00`, priority: 6, request: { id: 's1', ...WAITING } },
    ]);
    expect(activity.reserved('w@h').map((info) => info.id)).toEqual(['s2']);
  });

  it('query_task finds active, reserved and scheduled requests by id and leaves unknown ids out', () => {
    const activity = new WorkerActivity();
    const running = request('a');
    activity.reserve(running, delivery());
    activity.start(new CeleryContext(running, delivery().message, 'w@h'));
    activity.reserve(request('r'), delivery());
    activity.reserve(request('s', new Date(Date.now() + 60_000)), delivery());
    const found = activity.query(['a', 'r', 's', 'unknown'], 'w@h', false);
    expect(Object.keys(found).sort()).toEqual(['a', 'r', 's']);
    expect(found.a![0]).toBe('active');
    expect(found.a![1]).toMatchObject({ id: 'a', worker_pid: process.pid, time_start: expect.any(Number) });
    expect(found.r).toEqual(['reserved', { id: 'r', ...WAITING }]);
    expect(found.s![0]).toBe('scheduled');
  });

  it('counts processed tasks over all names', () => {
    const activity = new WorkerActivity();
    for (const [id, name] of [['1', 'x'], ['2', 'x'], ['3', 'y']] as const) {
      activity.start(new CeleryContext({ ...request(id), task: name }, delivery().message, 'w@h'));
    }
    expect(activity.processedCount()).toBe(3);
    expect(activity.totalCounts()).toEqual({ x: 2, y: 1 });
  });
});
