import { describe, expect, it } from '@jest/globals';
import { AsyncResult } from './async-result.js';
import type { CeleryClient } from './celery-client.js';
import type { SendTaskOptions } from '../producer/send-task.options.js';
import { defineTask } from './task-definition.js';

interface Call {
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: SendTaskOptions;
}

/** Just enough of a client: records sendTask calls and answers with a result that succeeds at once. */
class FakeClient {
  readonly calls: Call[] = [];
  readonly results: AsyncResult<unknown>[] = [];
  constructor(
    private readonly value: unknown = 5,
    private readonly answer = true,
  ) {}
  async sendTask<T>(name: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, options: SendTaskOptions = {}) {
    this.calls.push({ name, args, kwargs, options });
    const result = new AsyncResult<T>(`id-${this.calls.length}`, name);
    this.results.push(result as AsyncResult<unknown>);
    if (this.answer) {
      result.update({ task_id: result.id, status: 'SUCCESS', result: this.value, traceback: null, children: [] });
    }
    return result;
  }
}

const add = defineTask<[x: number, y: number], number>('interop.add', { queue: 'interop', priority: 3 });

describe('defineTask', () => {
  it('keeps its name and defaults', () => {
    expect(add.name).toBe('interop.add');
    expect(add.defaults).toEqual({ queue: 'interop', priority: 3 });
    expect(defineTask('x').defaults).toEqual({});
  });

  it('s() builds a mutable signature with the default route; options override defaults', () => {
    expect(add.s([1])).toEqual({
      task: 'interop.add',
      args: [1],
      kwargs: {},
      options: { queue: 'interop', priority: 3 },
      subtask_type: null,
      immutable: false,
    });
    expect(add.s(undefined, { priority: 9, countdown: 2 }).options).toEqual({ queue: 'interop', priority: 9, countdown: 2 });
    expect(add.s().args).toEqual([]);
  });

  it('si() builds an immutable signature', () => {
    const sig = add.si([1, 2], { queue: 'other' });
    expect(sig.immutable).toBe(true);
    expect(sig.args).toEqual([1, 2]);
    expect(sig.options).toEqual({ queue: 'other', priority: 3 });
  });

  it('bind().delay sends positional args with the defaults', async () => {
    const client = new FakeClient();
    const proxy = add.bind(client as unknown as CeleryClient);
    expect(proxy.name).toBe('interop.add');
    const result = await proxy.delay(2, 3);
    expect(result).toBe(client.results[0]);
    expect(client.calls).toEqual([{ name: 'interop.add', args: [2, 3], kwargs: {}, options: { queue: 'interop', priority: 3 } }]);
  });

  it('bind().applyAsync merges options over the defaults and passes kwargs', async () => {
    const client = new FakeClient();
    await add.bind(client as unknown as CeleryClient).applyAsync([2, 3], { z: 1 }, { priority: 1, countdown: 5 });
    expect(client.calls[0]).toEqual({
      name: 'interop.add',
      args: [2, 3],
      kwargs: { z: 1 },
      options: { queue: 'interop', priority: 1, countdown: 5 },
    });
    await add.bind(client as unknown as CeleryClient).applyAsync([1, 1]);
    expect(client.calls[1]!.kwargs).toEqual({});
  });

  it('bind().call sends and waits for the value, not passing timeout as a send option', async () => {
    const client = new FakeClient(5);
    const value = await add.bind(client as unknown as CeleryClient).call([2, 3], { timeout: 1000, shadow: 's' });
    expect(value).toBe(5);
    expect(client.calls[0]!.options).toEqual({ queue: 'interop', priority: 3, shadow: 's' });
  });

  it('bind().call rejects with the timeout error when no result comes', async () => {
    const client = new FakeClient(null, false);
    await expect(add.bind(client as unknown as CeleryClient).call([2, 3], { timeout: 5 })).rejects.toMatchObject({
      name: 'CeleryTimeoutError',
    });
  });
});
