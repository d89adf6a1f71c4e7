import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ConsumeMessage } from 'amqplib';
import { toExceptionInfo } from '../protocol/exception-info.js';
import { decodeTaskMessage } from '../protocol/task-message.decoder.js';
import { encodeTaskMessage } from '../protocol/task-message.encoder.js';
import { CeleryContext } from '../runtime/celery-context.js';
import { SoftTimeLimitExceededError, TimeLimitExceededError, withTimeLimits } from './time-limits.js';

function context(): CeleryContext {
  const encoded = encodeTaskMessage({ id: 'tid-1', task: 'proj.slow', origin: 'gen1@host' });
  const request = decodeTaskMessage({ content: encoded.body, headers: encoded.properties.headers });
  const message = { content: encoded.body, fields: { exchange: '', routingKey: 'celery', redelivered: false }, properties: {} };
  return new CeleryContext(request, message as unknown as ConsumeMessage, 'w1@host');
}

const never = () => new Promise<never>(() => undefined);

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

describe('withTimeLimits', () => {
  it('runs the work directly when there are no limits (no timers)', async () => {
    const ctx = context();
    let timersDuringWork = -1;
    const value = await withTimeLimits(ctx, [null, null], undefined, async () => {
      timersDuringWork = jest.getTimerCount();
      return 42;
    });
    expect(value).toBe(42);
    expect(timersDuringWork).toBe(0);
    expect(ctx.signal.aborted).toBe(false);
  });

  it('fails with TimeLimitExceededError at the hard limit and aborts ctx.signal', async () => {
    const ctx = context();
    const run = withTimeLimits(ctx, [2, null], undefined, never);
    const settled = run.catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(1999);
    expect(ctx.signal.aborted).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    const error = await settled;
    expect(error).toBeInstanceOf(TimeLimitExceededError);
    expect((error as TimeLimitExceededError).seconds).toBe(2);
    expect(ctx.signal.aborted).toBe(true);
    expect(ctx.signal.reason).toBeInstanceOf(TimeLimitExceededError);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('serializes the hard limit error as billiard.exceptions.TimeLimitExceeded(seconds)', () => {
    const error = new TimeLimitExceededError(30);
    expect(error.name).toBe('TimeLimitExceeded');
    expect(error.message).toBe('TimeLimitExceeded(30)');
    expect(toExceptionInfo(error)).toEqual({ exc_type: 'TimeLimitExceeded', exc_message: [30], exc_module: 'billiard.exceptions' });
    expect(toExceptionInfo(new SoftTimeLimitExceededError())).toEqual({
      exc_type: 'SoftTimeLimitExceeded',
      exc_message: [],
      exc_module: 'billiard.exceptions',
    });
  });

  it('aborts ctx.signal at the soft limit and lets the work finish', async () => {
    const ctx = context();
    const run = withTimeLimits(ctx, [null, 1], undefined, () => {
      const { signal } = ctx;
      return new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('stopped')));
    });
    await jest.advanceTimersByTimeAsync(1000);
    await expect(run).resolves.toBe('stopped');
    expect(ctx.signal.reason).toBeInstanceOf(SoftTimeLimitExceededError);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('soft limit before the hard one: the signal aborts first, then the task fails', async () => {
    const ctx = context();
    const settled = withTimeLimits(ctx, [3, 1], undefined, never).catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(1000);
    expect(ctx.signal.reason).toBeInstanceOf(SoftTimeLimitExceededError);
    await jest.advanceTimersByTimeAsync(2000);
    expect(await settled).toBeInstanceOf(TimeLimitExceededError);
  });

  it('clears its timers when the work finishes or fails in time', async () => {
    const ctx = context();
    await expect(withTimeLimits(ctx, [5, 4], undefined, async () => 'ok')).resolves.toBe('ok');
    expect(jest.getTimerCount()).toBe(0);
    await expect(
      withTimeLimits(ctx, [5, 4], undefined, async () => {
        throw new Error('own failure');
      }),
    ).rejects.toThrow('own failure');
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(ctx.signal.aborted).toBe(false);
  });

  it('uses the task options when the header has no limits', async () => {
    const ctx = context();
    const settled = withTimeLimits(ctx, [null, null], { timeLimit: 1 }, never).catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(1000);
    expect(await settled).toBeInstanceOf(TimeLimitExceededError);
  });

  it('lets the message header win over the task options', async () => {
    const ctx = context();
    const settled = withTimeLimits(ctx, [2, null], { timeLimit: 100, softTimeLimit: 50 }, never).catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(2000);
    const error = await settled;
    expect(error).toBeInstanceOf(TimeLimitExceededError);
    expect((error as TimeLimitExceededError).seconds).toBe(2);
    // the options' soft limit still applies since the header gives none
    const ctx2 = context();
    const run = withTimeLimits(ctx2, [null, 0.5], { softTimeLimit: 50 }, async () => 'x');
    await expect(run).resolves.toBe('x');
  });

  it('accepts fractional seconds', async () => {
    const ctx = context();
    const settled = withTimeLimits(ctx, [0.05, null], undefined, never).catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(50);
    expect(await settled).toBeInstanceOf(TimeLimitExceededError);
  });
});
