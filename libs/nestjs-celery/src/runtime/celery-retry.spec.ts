import { describe, expect, it } from '@jest/globals';
import { toExceptionInfo } from '../protocol/exception-info.js';
import { CeleryRetry, MaxRetriesExceededError } from './celery-retry.js';

describe('CeleryRetry', () => {
  it('is an Error named Retry with Celery-like messages', () => {
    expect(new CeleryRetry()).toBeInstanceOf(Error);
    expect(new CeleryRetry().name).toBe('Retry');
    expect(new CeleryRetry().message).toBe('Retry in the default delay');
    expect(new CeleryRetry({ countdown: 0 }).message).toBe('Retry in 0s');
    expect(new CeleryRetry({ countdown: 1 }).message).toBe('Retry in 1s');
    expect(new CeleryRetry({ eta: new Date('2026-11-22T02:08:51.588Z') }).message).toBe('Retry in 2026-11-22T02:08:51.588Z');
  });

  it('names the cause like Python repr when exc is an Error', () => {
    const exc = new Error('k');
    exc.name = 'KeyError';
    expect(new CeleryRetry({ countdown: 1, exc }).message).toBe("Retry in 1s: KeyError('k')");
    expect(new CeleryRetry({ countdown: 1, exc: 'not an error' }).message).toBe('Retry in 1s');
  });

  it('keeps its options', () => {
    const options = { countdown: 3, maxRetries: 5 };
    expect(new CeleryRetry(options).options).toBe(options);
  });
});

describe('MaxRetriesExceededError', () => {
  it('serializes as celery.exceptions.MaxRetriesExceededError', () => {
    const error = new MaxRetriesExceededError("Can't retry proj.add[id]");
    expect(toExceptionInfo(error)).toEqual({
      exc_type: 'MaxRetriesExceededError',
      exc_message: ["Can't retry proj.add[id]"],
      exc_module: 'celery.exceptions',
    });
  });
});
