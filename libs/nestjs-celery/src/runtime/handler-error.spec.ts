import { describe, expect, it } from '@jest/globals';
import { RpcException } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';
import type { TaskRequest } from '../protocol/task-message.js';
import { CeleryContext } from './celery-context.js';
import { unwrapHandlerError } from './handler-error.js';

class PaymentDeclined extends Error {
  override readonly name = 'PaymentDeclined';
}

const UNKNOWN_ANSWER = { status: 'error', message: 'Internal server error' };

function contextKeeping(error?: unknown): CeleryContext {
  const ctx = new CeleryContext({ id: 't1', task: 'x', retries: 0 } as TaskRequest, {} as ConsumeMessage, 'node');
  if (error !== undefined) ctx.keepFailure(error);
  return ctx;
}

describe('unwrapHandlerError', () => {
  it("replaces Nest's default answer with the error the interceptor kept", () => {
    const kept = new PaymentDeclined('card expired');
    expect(unwrapHandlerError({ ...UNKNOWN_ANSWER }, contextKeeping(kept))).toBe(kept);
  });

  it("replaces Nest's default answer to a kept RpcException with its error or the exception itself", () => {
    const inner = new RangeError('inner');
    expect(unwrapHandlerError(inner, contextKeeping(new RpcException(inner)))).toBe(inner);
    const data = { code: 'OUT_OF_STOCK' };
    const withData = new RpcException(data);
    expect(unwrapHandlerError(data, contextKeeping(withData))).toBe(withData);
    const withText = new RpcException('sold out');
    expect(unwrapHandlerError({ status: 'error', message: 'sold out' }, contextKeeping(withText))).toBe(withText);
  });

  it("keeps a filter's own answer: an RpcException's error, another error, data", () => {
    const kept = new PaymentDeclined('card expired');
    const mapped = new RangeError('mapped');
    expect(unwrapHandlerError(new RpcException(mapped), contextKeeping(kept))).toBe(mapped);
    const other = new TypeError('other');
    expect(unwrapHandlerError(other, contextKeeping(kept))).toBe(other);
    const data = unwrapHandlerError({ message: 'rewritten' }, contextKeeping(kept));
    expect(data).toBeInstanceOf(RpcException);
    expect((data as RpcException).getError()).toEqual({ message: 'rewritten' });
  });

  it("turns Nest's { status, message } answer without a kept error into an Error (a guard's refusal)", () => {
    const error = unwrapHandlerError({ status: 'error', message: 'Forbidden resource' }, contextKeeping());
    expect(error).toEqual(new Error('Forbidden resource'));
    expect(error).not.toBeInstanceOf(RpcException);
    expect(unwrapHandlerError({ ...UNKNOWN_ANSWER }, contextKeeping())).toEqual(new Error('Internal server error'));
  });

  it('returns the kept error itself when that is what it is given (the event path)', () => {
    const kept = new PaymentDeclined('handler failed');
    expect(unwrapHandlerError(kept, contextKeeping(kept))).toBe(kept);
  });
});
