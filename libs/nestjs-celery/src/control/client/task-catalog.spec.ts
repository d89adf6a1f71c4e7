import { describe, expect, it } from '@jest/globals';
import { celeryQueueTopology } from '../../broker/topology.js';
import { queueInfoFromTopology, toKombuQueueInfo } from '../queue-info.js';
import { buildTaskCatalog, routeForQueue } from './task-catalog.js';

const celeryQueue = (name: string) => queueInfoFromTopology(name, celeryQueueTopology(name));

describe('buildTaskCatalog', () => {
  it('joins registered and active_queues replies of Python and Nest workers', () => {
    const catalog = buildTaskCatalog(
      {
        'py@h': ['pyctl.add', 'shared.task [rate_limit=10/s]'],
        'nest1@h': ['billing.sync.get_invoice', 'shared.task'],
        'broken@h': { error: "KeyError('registered')" },
      },
      {
        'py@h': [celeryQueue('py.q')],
        'nest1@h': [celeryQueue('billing'), celeryQueue('a.first')],
        'broken@h': [celeryQueue('x')],
      },
    );
    expect(catalog.workers).toEqual({
      'nest1@h': { tasks: ['billing.sync.get_invoice', 'shared.task'], queues: ['a.first', 'billing'] },
      'py@h': { tasks: ['pyctl.add', 'shared.task'], queues: ['py.q'] },
    });
    expect(catalog.tasks['shared.task']).toEqual({
      queues: ['a.first', 'billing', 'py.q'],
      workers: ['nest1@h', 'py@h'],
      route: { queue: 'a.first', exchange: 'a.first', routingKey: 'a.first' },
    });
    expect(catalog.tasks['pyctl.add']!.route).toEqual({ queue: 'py.q', exchange: 'py.q', routingKey: 'py.q' });
    expect(Object.keys(catalog.tasks).sort()).toEqual(['billing.sync.get_invoice', 'pyctl.add', 'shared.task']);
  });

  it('leaves out workers that answered only one query, and tasks without any queue', () => {
    const catalog = buildTaskCatalog({ 'a@h': ['t.one'], 'b@h': ['t.two'] }, { 'a@h': [] });
    expect(catalog.tasks).toEqual({});
    expect(catalog.workers).toEqual({ 'a@h': { tasks: ['t.one'], queues: [] } });
  });
});

describe('routeForQueue', () => {
  it('publishes a topic binding with wildcards using the task name as routing key', () => {
    const queue = toKombuQueueInfo({ name: 'billing.sync' }, { name: 'billing', type: 'topic' }, 'billing.sync.#');
    expect(routeForQueue(queue, 'billing.sync.get_invoice')).toEqual({ queue: 'billing.sync', exchange: 'billing', routingKey: 'billing.sync.get_invoice' });
    const exact = toKombuQueueInfo({ name: 'q' }, { name: 'ex', type: 'topic' }, 'exact.key');
    expect(routeForQueue(exact, 't')).toEqual({ queue: 'q', exchange: 'ex', routingKey: 'exact.key' });
  });

  it('uses fanout exchanges with an empty key, and the default exchange for others', () => {
    expect(routeForQueue(toKombuQueueInfo({ name: 'q' }, { name: 'f', type: 'fanout' }, ''), 't')).toEqual({ queue: 'q', exchange: 'f', routingKey: '' });
    expect(routeForQueue(toKombuQueueInfo({ name: 'q' }, { name: 'h', type: 'headers' }, ''), 't')).toEqual({ queue: 'q', exchange: '', routingKey: 'q' });
    expect(routeForQueue(toKombuQueueInfo({ name: 'q' }, { name: '', type: 'direct' }, 'q'), 't')).toEqual({ queue: 'q', exchange: '', routingKey: 'q' });
  });
  it('skips node and task names that are prototype keys, and returns prototype-less maps', () => {
    const registered: Record<string, unknown> = Object.create(null);
    registered['__proto__'] = ['t.evil'];
    registered['w@h'] = ['__proto__', 'constructor', 't.ok'];
    const queues: Record<string, unknown> = Object.create(null);
    queues['__proto__'] = [celeryQueue('evil')];
    queues['w@h'] = [celeryQueue('q')];
    const catalog = buildTaskCatalog(registered, queues);
    expect(Object.getPrototypeOf(catalog.tasks)).toBeNull();
    expect(Object.keys(catalog.tasks)).toEqual(['t.ok']);
    expect(Object.keys(catalog.workers)).toEqual(['w@h']);
  });
});
