import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { CeleryRemoteError } from '../protocol/celery-remote.error.js';
import { AsyncResult } from './async-result.js';
import { CeleryTimeoutError } from './client.errors.js';
import { GroupResult } from './group-result.js';

const success = (id: string, result: unknown) => ({ task_id: id, status: 'SUCCESS', result, traceback: null, children: [] });

afterEach(() => {
  jest.useRealTimers();
});

function group(n: number) {
  const members = Array.from({ length: n }, (_, i) => new AsyncResult<number>(`id-${i}`));
  return { members, group: new GroupResult('gid', members) };
}

describe('GroupResult', () => {
  it('keeps the group id and member results', () => {
    const { members, group: g } = group(2);
    expect(g.id).toBe('gid');
    expect(g.results).toBe(members);
  });

  it('is ready only once every member is', () => {
    const { members, group: g } = group(3);
    expect(g.ready()).toBe(false);
    members[0]!.update(success('id-0', 0));
    members[2]!.update(success('id-2', 4));
    expect(g.ready()).toBe(false);
    members[1]!.update({ task_id: 'id-1', status: 'FAILURE', result: null, traceback: null, children: [] });
    expect(g.ready()).toBe(true);
  });

  it('is trivially ready and resolves to [] when empty', async () => {
    const g = new GroupResult('gid', []);
    expect(g.ready()).toBe(true);
    await expect(g.get()).resolves.toEqual([]);
  });

  it('resolves with the values in member order, whatever the order of arrival', async () => {
    const { members, group: g } = group(3);
    const values = g.get();
    members[2]!.update(success('id-2', 4));
    members[0]!.update(success('id-0', 0));
    members[1]!.update(success('id-1', 2));
    await expect(values).resolves.toEqual([0, 2, 4]);
  });

  it('rejects with the failure of a member', async () => {
    const { members, group: g } = group(2);
    const values = g.get();
    members[1]!.update({
      task_id: 'id-1',
      status: 'FAILURE',
      result: { exc_type: 'ValueError', exc_message: ['x'], exc_module: 'builtins' },
      traceback: null,
      children: [],
    });
    await expect(values).rejects.toBeInstanceOf(CeleryRemoteError);
    await expect(values).rejects.toMatchObject({ taskId: 'id-1' });
  });

  it('returns failures in place with propagate false', async () => {
    const { members, group: g } = group(2);
    members[0]!.update(success('id-0', 1));
    members[1]!.update({ task_id: 'id-1', status: 'REVOKED', result: null, traceback: null, children: [] });
    const values = await g.get({ propagate: false });
    expect(values[0]).toBe(1);
    expect(values[1]).toBeInstanceOf(CeleryRemoteError);
  });

  it('times out when a member does not answer', async () => {
    jest.useFakeTimers();
    const { members, group: g } = group(2);
    members[0]!.update(success('id-0', 1));
    const settled = g.get({ timeout: 50 }).catch((e: unknown) => e);
    jest.advanceTimersByTime(50);
    const error = await settled;
    expect(error).toBeInstanceOf(CeleryTimeoutError);
    expect((error as CeleryTimeoutError).taskId).toBe('id-1');
  });
});
