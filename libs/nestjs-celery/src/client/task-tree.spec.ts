import { describe, expect, it } from '@jest/globals';
import { AsyncResult } from './async-result.js';
import type { SendTaskOptions } from '../producer/send-task.options.js';
import { CeleryControlCallError } from '../control/control.errors.js';
import type { TaskCatalog } from '../control/client/task-catalog.js';
import { buildTaskTree, TASK_APPLY, TASK_CATALOG, TASK_NAME, type TaskTreeNode } from './task-tree.js';

const catalog: TaskCatalog = {
  tasks: {
    'billing.sync.get_invoice': { queues: ['billing.sync'], workers: ['nest@h'], route: { queue: 'billing.sync', exchange: 'billing', routingKey: 'billing.sync.get_invoice' } },
    'billing.sync': { queues: ['celery'], workers: ['py@h'], route: { queue: 'celery', exchange: 'celery', routingKey: 'celery' } },
    'util.name': { queues: ['plain'], workers: ['py@h'], route: { queue: 'plain', exchange: '', routingKey: 'plain' } },
  },
  workers: {},
};

function recorder() {
  const sent: Array<{ name: string; args: unknown[]; kwargs: Record<string, unknown>; options: SendTaskOptions }> = [];
  const send = async (name: string, args: unknown[], kwargs: Record<string, unknown>, options: SendTaskOptions) => {
    sent.push({ name, args, kwargs, options });
    return new AsyncResult('id-' + sent.length, name);
  };
  return { sent, send };
}

describe('buildTaskTree', () => {
  it('calls a leaf with its dotted name on the discovered route and resolves with the AsyncResult', async () => {
    const { sent, send } = recorder();
    const api = buildTaskTree(catalog, send);
    const result = await api.billing!.sync!.get_invoice!(42);
    expect(result).toBeInstanceOf(AsyncResult);
    expect(result.id).toBe('id-1');
    expect(sent).toEqual([
      { name: 'billing.sync.get_invoice', args: [42], kwargs: {}, options: { exchange: 'billing', routingKey: 'billing.sync.get_invoice', queue: 'billing.sync' } },
    ]);
  });

  it('lets a node be a task and a namespace at once, and passes kwargs and options through TASK_APPLY', async () => {
    const { sent, send } = recorder();
    const api = buildTaskTree(catalog, send);
    await api.billing!.sync!('x');
    await api.billing!.sync!.get_invoice![TASK_APPLY]([1], { full: true }, { countdown: 5 });
    expect(sent.map((s) => s.name)).toEqual(['billing.sync', 'billing.sync.get_invoice']);
    expect(sent[1]).toMatchObject({ kwargs: { full: true }, options: { countdown: 5, exchange: 'billing' } });
    expect(api.billing!.sync![TASK_NAME]).toBe('billing.sync');
  });

  it('gives segments named like function properties (name, length) to the child', async () => {
    const { sent, send } = recorder();
    const api = buildTaskTree(catalog, send);
    // Typed as Function's `name: string`; at run time it is the child node.
    await (api.util!.name as unknown as TaskTreeNode)();
    expect(sent[0]).toMatchObject({ name: 'util.name', options: { exchange: '', routingKey: 'plain' } });
    expect(sent[0]!.options).not.toHaveProperty('queue');
  });

  it('rejects calls of a namespace that is not a task, naming what exists', async () => {
    const api = buildTaskTree(catalog, recorder().send);
    await expect(api.billing!()).rejects.toBeInstanceOf(CeleryControlCallError);
    await expect(api.util!()).rejects.toThrow("no live worker registered task 'util'; discovered: billing.sync.get_invoice, billing.sync, util.name");
  });

  it('lists first segments as enumerable keys, has the catalog under TASK_CATALOG, and is not thenable', () => {
    const api = buildTaskTree(catalog, recorder().send);
    expect(Object.keys(api)).toEqual(['billing', 'util']);
    expect(api[TASK_CATALOG]).toBe(catalog);
    expect((api as unknown as { then?: unknown }).then).toBeUndefined();
  });
});
