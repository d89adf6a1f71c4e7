import { describe, expect, it, jest } from '@jest/globals';
import { mergeRoute, RouterChain } from './router-chain.js';
import { InvalidTaskRoutesError } from './routing.errors.js';
import type { TaskRouterFunction } from './task-routes.js';

describe('RouterChain (Celery Router.lookup_route)', () => {
  it('asks the routers in order; the first route wins', () => {
    const fn: TaskRouterFunction = (name) => (name.endsWith('.fn') ? { queue: 'fn-q' } : undefined);
    const chain = new RouterChain([{ 'a.exact': 'exact-q' }, fn, [[/^a\./, 'regex-q']], { 'a.*': 'never-reached' }]);
    expect(chain.lookup('a.exact', [], {}, {})).toEqual({ queue: 'exact-q' });
    expect(chain.lookup('a.x.fn', [], {}, {})).toEqual({ queue: 'fn-q' });
    expect(chain.lookup('a.other', [], {}, {})).toEqual({ queue: 'regex-q' });
    expect(chain.lookup('b.other', [], {}, {})).toBeUndefined();
  });

  it('passes name, args, kwargs and the options to router functions; null means no route', () => {
    const fn = jest.fn<TaskRouterFunction>(() => null);
    const chain = new RouterChain(fn);
    expect(chain.lookup('t', [1], { k: 2 }, { priority: 3 })).toBeUndefined();
    expect(fn).toHaveBeenCalledWith('t', [1], { k: 2 }, { priority: 3 });
  });

  it('routes by arguments with a function, and accepts a queue name as its answer', () => {
    const chain = new RouterChain((_name, args) => (args[0] === 'vip' ? 'vip-q' : undefined));
    expect(chain.lookup('t', ['vip'], {}, {})).toEqual({ queue: 'vip-q' });
    expect(chain.lookup('t', ['x'], {}, {})).toBeUndefined();
  });

  it('takes a bare list of [pattern, route] pairs as one map router', () => {
    const chain = new RouterChain([
      ['x.*', 'xq'],
      ['y', 'yq'],
    ]);
    expect(chain.lookup('x.1', [], {}, {})).toEqual({ queue: 'xq' });
    expect(chain.lookup('y', [], {}, {})).toEqual({ queue: 'yq' });
  });

  it('appends the extra routers (the service convention) after the configured ones', () => {
    const chain = new RouterChain({ 'b.*': 'user' }, [() => ({ queue: 'convention' })]);
    expect(chain.lookup('b.sync.x', [], {}, {})).toEqual({ queue: 'user' });
    expect(chain.lookup('c.sync.x', [], {}, {})).toEqual({ queue: 'convention' });
    expect(new RouterChain(undefined).empty).toBe(true);
  });

  it('rejects malformed routers up front, naming the entry', () => {
    expect(() => new RouterChain({ t: 42 as never })).toThrow(InvalidTaskRoutesError);
    expect(() => new RouterChain({ t: '' })).toThrow(/taskRoutes entry 't'/);
    expect(() => new RouterChain([42 as never])).toThrow(/taskRoutes\[0\]/);
    expect(() => new RouterChain([{ a: 'q' }, [[1 as never, 'q']]])).toThrow(/taskRoutes\[1\]/);
  });

  it('reports a router function returning a wrong value, naming the function', () => {
    const broken: TaskRouterFunction = function brokenRouter() {
      return 42 as never;
    };
    expect(() => new RouterChain(broken).lookup('t', [], {}, {})).toThrow(/brokenRouter.*returned 42/);
  });
});

describe('mergeRoute (Celery lpmerge)', () => {
  it('lets every option the caller set win and fills the rest from the route', () => {
    expect(mergeRoute({ queue: 'r', routingKey: 'rk', deliveryMode: 1 }, { queue: 'explicit', routingKey: undefined, priority: 5 })).toEqual({
      queue: 'explicit',
      routingKey: 'rk',
      deliveryMode: 1,
      priority: 5,
    });
  });

  it('treats null as set (replyTo: null means no reply_to)', () => {
    expect(mergeRoute({ replyTo: null }, { replyTo: 'mine' })).toEqual({ replyTo: 'mine' });
    expect(mergeRoute({ replyTo: 'route' }, { replyTo: null })).toEqual({ replyTo: null });
  });
});
