import { describe, expect, it } from '@jest/globals';
import { celeryQueueTopology } from '../broker/topology.js';
import { resolveTaskRoute } from './task-route.js';

describe('resolveTaskRoute', () => {
  it("sends queue=X to the default exchange with routing key X and declares Celery's topology for X", () => {
    expect(resolveTaskRoute({ queue: 'work' }, 'celery', 'proj.add')).toEqual({
      exchange: '',
      routingKey: 'work',
      queue: 'work',
      declare: celeryQueueTopology('work'),
    });
  });

  it('uses the default queue without a route', () => {
    expect(resolveTaskRoute({}, 'celery', 'proj.add')).toEqual({
      exchange: '',
      routingKey: 'celery',
      queue: 'celery',
      declare: celeryQueueTopology('celery'),
    });
  });

  it('treats an empty exchange with a queue like queue=', () => {
    expect(resolveTaskRoute({ exchange: '', queue: 'q' }, 'celery', 't')).toMatchObject({ exchange: '', routingKey: 'q', queue: 'q' });
    expect(resolveTaskRoute({ exchange: '', queue: 'q' }, 'celery', 't').declare).toEqual(celeryQueueTopology('q'));
  });

  it('publishes to an explicit exchange without declaring, routing key defaulting to the queue, then the task name', () => {
    expect(resolveTaskRoute({ exchange: 'ex', routingKey: 'rk' }, 'celery', 'proj.add')).toEqual({
      exchange: 'ex',
      routingKey: 'rk',
      queue: undefined,
    });
    expect(resolveTaskRoute({ exchange: 'ex', queue: 'q' }, 'celery', 'proj.add')).toEqual({ exchange: 'ex', routingKey: 'q', queue: 'q' });
    expect(resolveTaskRoute({ exchange: 'ex', queue: 'q', routingKey: 'rk' }, 'celery', 'proj.add').routingKey).toBe('rk');
    expect(resolveTaskRoute({ exchange: 'ex' }, 'celery', 'proj.add')).toEqual({ exchange: 'ex', routingKey: 'proj.add', queue: undefined });
  });

  it('publishes directly to a queue through the default exchange with exchange "" and a routing key, without declaring', () => {
    expect(resolveTaskRoute({ exchange: '', routingKey: 'direct-q' }, 'celery', 't')).toEqual({
      exchange: '',
      routingKey: 'direct-q',
      queue: 'direct-q',
    });
  });
});
