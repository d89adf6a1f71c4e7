import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { CeleryNotRegisteredError, CeleryRemoteError, CeleryTaskRevokedError } from '../protocol/celery-remote.error.js';
import type { ResultMessage } from '../protocol/result-message.js';
import { AsyncResult } from './async-result.js';
import { CeleryTimeoutError } from './client.errors.js';

const reply = (status: string, result: unknown = null, extra: Partial<ResultMessage> = {}): ResultMessage => ({
  task_id: 'tid-1',
  status,
  result,
  traceback: null,
  children: [],
  ...extra,
});

const VALUE_ERROR = { exc_type: 'ValueError', exc_message: ['bad value', 42], exc_module: 'builtins' };

afterEach(() => {
  jest.useRealTimers();
});

describe('AsyncResult state', () => {
  it('starts PENDING and not ready', () => {
    const result = new AsyncResult('tid-1', 'proj.add');
    expect(result.id).toBe('tid-1');
    expect(result.taskName).toBe('proj.add');
    expect(result.state).toBe('PENDING');
    expect(result.ready()).toBe(false);
    expect(result.successful()).toBe(false);
    expect(result.failed()).toBe(false);
    expect(result.result).toBeUndefined();
    expect(result.traceback).toBeNull();
    expect(result.children).toEqual([]);
    expect(result.error).toBeUndefined();
  });

  it('moves PENDING → STARTED → SUCCESS', () => {
    const result = new AsyncResult('tid-1');
    result.update(reply('STARTED', { pid: 1, hostname: 'w1@spec' }));
    expect(result.state).toBe('STARTED');
    expect(result.ready()).toBe(false);
    expect(result.result).toEqual({ pid: 1, hostname: 'w1@spec' });
    result.update(reply('SUCCESS', 4, { children: [[['child', null], null]] }));
    expect(result.state).toBe('SUCCESS');
    expect(result.ready()).toBe(true);
    expect(result.successful()).toBe(true);
    expect(result.failed()).toBe(false);
    expect(result.result).toBe(4);
    expect(result.children).toEqual([[['child', null], null]]);
  });

  it('keeps a ready state final: later replies are ignored', () => {
    const result = new AsyncResult('tid-1');
    result.update(reply('SUCCESS', 1));
    result.update(reply('STARTED'));
    result.update(reply('FAILURE', VALUE_ERROR));
    expect(result.state).toBe('SUCCESS');
    expect(result.result).toBe(1);
  });

  it('accepts custom and RETRY states as non-ready', () => {
    const result = new AsyncResult('tid-1');
    result.update(reply('PROGRESS', { done: 50 }));
    expect(result.state).toBe('PROGRESS');
    result.update(reply('RETRY', { exc_type: 'KeyError', exc_message: ['k'], exc_module: 'builtins' }, { traceback: 'tb' }));
    expect(result.state).toBe('RETRY');
    expect(result.ready()).toBe(false);
    expect(result.failed()).toBe(false);
    expect(result.error).toBeUndefined();
    expect(result.traceback).toBe('tb');
  });

  it('exposes the remote error of FAILURE with the traceback', () => {
    const result = new AsyncResult('tid-1');
    result.update(reply('FAILURE', VALUE_ERROR, { traceback: 'Traceback...' }));
    expect(result.failed()).toBe(true);
    expect(result.ready()).toBe(true);
    const error = result.error!;
    expect(error).toBeInstanceOf(CeleryRemoteError);
    expect(error.excType).toBe('ValueError');
    expect(error.excArgs).toEqual(['bad value', 42]);
    expect(error.traceback).toBe('Traceback...');
    expect(error.taskId).toBe('tid-1');
  });
});

describe('AsyncResult.get', () => {
  it('resolves with the return value when SUCCESS arrives', async () => {
    const result = new AsyncResult<number>('tid-1');
    const value = result.get();
    result.update(reply('STARTED'));
    result.update(reply('SUCCESS', 4));
    await expect(value).resolves.toBe(4);
  });

  it('resolves at once when already ready, and every waiter gets the value', async () => {
    const result = new AsyncResult<string>('tid-1');
    const a = result.get();
    const b = result.get({ timeout: 1000 });
    result.update(reply('SUCCESS', 'done'));
    await expect(Promise.all([a, b, result.get()])).resolves.toEqual(['done', 'done', 'done']);
  });

  it('rejects with CeleryTimeoutError, and a later get still resolves', async () => {
    jest.useFakeTimers();
    const result = new AsyncResult<number>('tid-1');
    const first = result.get({ timeout: 100 });
    const settled = first.catch((error: unknown) => error);
    jest.advanceTimersByTime(100);
    const error = await settled;
    expect(error).toBeInstanceOf(CeleryTimeoutError);
    expect((error as CeleryTimeoutError).taskId).toBe('tid-1');
    expect((error as CeleryTimeoutError).timeoutMs).toBe(100);
    expect((error as Error).message).toContain('tid-1');
    const second = result.get({ timeout: 100 });
    result.update(reply('SUCCESS', 7));
    await expect(second).resolves.toBe(7);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('clears its timer when the result arrives in time', async () => {
    jest.useFakeTimers();
    const result = new AsyncResult('tid-1');
    const value = result.get({ timeout: 5000 });
    expect(jest.getTimerCount()).toBe(1);
    result.update(reply('SUCCESS', null));
    await expect(value).resolves.toBeNull();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('ignores a non-finite timeout', async () => {
    jest.useFakeTimers();
    const result = new AsyncResult('tid-1');
    const value = result.get({ timeout: Number.POSITIVE_INFINITY });
    expect(jest.getTimerCount()).toBe(0);
    result.update(reply('SUCCESS', 1));
    await expect(value).resolves.toBe(1);
  });

  it('throws the remote error for FAILURE, or returns it with propagate false', async () => {
    const result = new AsyncResult('tid-1');
    const thrown = result.get();
    result.update(reply('FAILURE', VALUE_ERROR));
    await expect(thrown).rejects.toBeInstanceOf(CeleryRemoteError);
    await expect(result.get()).rejects.toMatchObject({ excType: 'ValueError', excModule: 'builtins' });
    const returned = await result.get({ propagate: false });
    expect(returned).toBeInstanceOf(CeleryRemoteError);
    expect((returned as CeleryRemoteError).excArgs).toEqual(['bad value', 42]);
  });

  it('throws CeleryTaskRevokedError for REVOKED and CeleryNotRegisteredError for NotRegistered', async () => {
    const revoked = new AsyncResult('tid-1');
    revoked.update(
      reply('REVOKED', { exc_type: 'TaskRevokedError', exc_message: ['expired'], exc_module: 'celery.exceptions' }),
    );
    await expect(revoked.get()).rejects.toBeInstanceOf(CeleryTaskRevokedError);
    expect(revoked.failed()).toBe(true);
    const unknown = new AsyncResult('tid-1');
    unknown.update(reply('FAILURE', { exc_type: 'NotRegistered', exc_message: ['unknown.task'], exc_module: 'celery.exceptions' }));
    const error = await unknown.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CeleryNotRegisteredError);
    expect(error).toBeInstanceOf(CeleryRemoteError);
    expect((error as CeleryRemoteError).excArgs).toEqual(['unknown.task']);
  });

  it('wraps a FAILURE result that is not an exception dict', async () => {
    const result = new AsyncResult('tid-1');
    result.update(reply('FAILURE', 'plain text'));
    await expect(result.get()).rejects.toMatchObject({ excType: 'Exception', excArgs: ['plain text'] });
  });

  it('hands every reply to onMessage, including RETRY and the final one, while waiting', async () => {
    const result = new AsyncResult('tid-1');
    const seen: string[] = [];
    const value = result.get({ onMessage: (m) => seen.push(m.status) });
    result.update(reply('STARTED'));
    result.update(reply('RETRY', { exc_type: 'KeyError', exc_message: ['k'], exc_module: 'builtins' }));
    result.update(reply('PROGRESS', 50));
    result.update(reply('SUCCESS', 1));
    await value;
    expect(seen).toEqual(['STARTED', 'RETRY', 'PROGRESS', 'SUCCESS']);
  });

  it('hands onMessage the states that arrived before get() too, in order, then the rest', async () => {
    const result = new AsyncResult('tid-1');
    result.update(reply('STARTED'));
    result.update(reply('RETRY', { exc_type: 'KeyError', exc_message: ['k'], exc_module: 'builtins' }));
    const seen: string[] = [];
    const value = result.get({ onMessage: (m) => seen.push(m.status) });
    result.update(reply('SUCCESS', 1));
    await expect(value).resolves.toBe(1);
    expect(seen).toEqual(['STARTED', 'RETRY', 'SUCCESS']);
    const again: string[] = [];
    await result.get({ onMessage: (m) => again.push(m.status) });
    expect(again).toEqual(['STARTED', 'RETRY', 'SUCCESS']);
  });

  it('removes the onMessage listener after get() settles, even on timeout', async () => {
    jest.useFakeTimers();
    const result = new AsyncResult('tid-1');
    const seen: string[] = [];
    const first = result.get({ timeout: 10, onMessage: (m) => seen.push(m.status) }).catch(() => 'timeout');
    jest.advanceTimersByTime(10);
    await expect(first).resolves.toBe('timeout');
    result.update(reply('STARTED'));
    expect(seen).toEqual([]);
  });
});
