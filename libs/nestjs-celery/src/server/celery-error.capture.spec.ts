import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  type ArgumentsHost,
  BadRequestException,
  type CallHandler,
  Catch,
  type CanActivate,
  Controller,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
} from '@nestjs/common';
import { BaseRpcExceptionFilter, Ctx, RpcException } from '@nestjs/microservices';
import { RpcExceptionsHandler } from '@nestjs/microservices/exceptions/rpc-exceptions-handler.js';
import { ExecutionContextHost } from '@nestjs/core/internal';
import { catchError, lastValueFrom, map, throwError, type Observable } from 'rxjs';
import type { CeleryClient } from '../client/celery-client.js';
import { CeleryTask, OnEvent, TaskArg } from '../index.js';
import type { CeleryRemoteError } from '../protocol/celery-remote.error.js';
import { awaitPublished, callTask, createTestClient, startTestWorker, type MemoryBroker, type TestWorker } from '../testing/index.js';
import { CeleryContext } from '../runtime/celery-context.js';
import { installCeleryErrorCapture } from './celery-error.capture.js';

class PaymentDeclined extends Error {
  override readonly name = 'PaymentDeclined';
}

class NonNumericPipe implements PipeTransform {
  transform(value: unknown): unknown {
    if (typeof value !== 'number') throw new BadRequestException('amount must be a number');
    return value;
  }
}

class DenyGuard implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

class LockedGuard implements CanActivate {
  canActivate(): boolean {
    throw new PaymentDeclined('account locked');
  }
}

class WrapInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((data) => ({ wrapped: data })));
  }
}

/** Rewrites every error leaving the handler as an RpcException (a common microservice pattern). */
class ToRpcExceptionInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError((error: Error) => throwError(() => new RpcException({ message: `rewritten: ${error.message}` }))));
  }
}

@Catch(PaymentDeclined)
class DeclinedToRpcFilter implements ExceptionFilter {
  catch(error: PaymentDeclined): Observable<never> {
    return throwError(() => new RpcException(new RangeError(`mapped: ${error.message}`)));
  }
}

let attempts = 0;

@Controller()
class CaptureTasks {
  @CeleryTask('capture.fail')
  fail(): never {
    throw new PaymentDeclined('card expired');
  }

  @CeleryTask('capture.fail-async')
  async failAsync(): Promise<never> {
    await Promise.resolve();
    throw new PaymentDeclined('card expired later');
  }

  @CeleryTask('capture.piped')
  @UsePipes(new NonNumericPipe())
  piped(@TaskArg(0) amount: number): number {
    return amount * 2;
  }

  @CeleryTask('capture.denied')
  @UseGuards(DenyGuard)
  denied(): string {
    return 'never';
  }

  @CeleryTask('capture.locked')
  @UseGuards(LockedGuard)
  locked(): string {
    return 'never';
  }

  @CeleryTask('capture.wrapped')
  @UseInterceptors(WrapInterceptor)
  wrapped(@TaskArg(0) fail: boolean): string {
    if (fail) throw new PaymentDeclined('inside an interceptor');
    return 'ok';
  }

  @CeleryTask('capture.filtered')
  @UseFilters(DeclinedToRpcFilter)
  filtered(): never {
    throw new PaymentDeclined('filtered');
  }

  @CeleryTask('capture.retry', { defaultRetryDelay: 0 })
  @UseInterceptors(WrapInterceptor)
  retry(@Ctx() ctx: CeleryContext): string {
    attempts++;
    if (ctx.retries < 1) throw ctx.retry({ countdown: 0 });
    return `done after ${ctx.retries} retry`;
  }
}

let rewrittenAttempts = 0;

@Controller()
@UseInterceptors(ToRpcExceptionInterceptor)
class RewritingTasks {
  @CeleryTask('rewrite.fail')
  fail(): never {
    throw new PaymentDeclined('card expired');
  }

  @CeleryTask('rewrite.retry', { defaultRetryDelay: 0 })
  retry(@Ctx() ctx: CeleryContext): string {
    rewrittenAttempts++;
    if (ctx.retries < 1) throw ctx.retry({ countdown: 0 });
    return 'done';
  }
}

@Controller()
class FailingSubscribers {
  @OnEvent('shop.*.fails', { exchange: 'shop' })
  @UseInterceptors(WrapInterceptor)
  @UseFilters(DeclinedToRpcFilter)
  onFail(): never {
    throw new PaymentDeclined('handler failed');
  }

  @OnEvent('shop.*.locked', { exchange: 'shop' })
  @UseGuards(LockedGuard)
  onLocked(): string {
    return 'never';
  }
}

async function failure(client: CeleryClient, task: string, args: unknown[] = []): Promise<CeleryRemoteError> {
  return callTask(client, task, args).then(
    () => {
      throw new Error(`expected ${task} to fail`);
    },
    (error: unknown) => error as CeleryRemoteError,
  );
}

describe('task error capture in Nest exception handler', () => {
  let worker: TestWorker;
  let client: CeleryClient;
  // Nest's default RPC filter logs every error it replaces through this (protected) logger.
  const filterLog = jest.spyOn((BaseRpcExceptionFilter as unknown as { logger: { error: (error: unknown) => void } }).logger, 'error');

  beforeAll(async () => {
    worker = await startTestWorker({ controllers: [CaptureTasks, RewritingTasks] });
    client = await createTestClient(worker.broker);
  });

  afterAll(async () => {
    await client.close();
    await worker.close();
    filterLog.mockRestore();
  });

  it('reports the error a handler threw, sync or async, with its type and message', async () => {
    await expect(failure(client, 'capture.fail')).resolves.toMatchObject({ excType: 'PaymentDeclined', excMessage: 'card expired' });
    await expect(failure(client, 'capture.fail-async')).resolves.toMatchObject({ excType: 'PaymentDeclined', excMessage: 'card expired later' });
  });

  it('still hands the error to the exception filters (the default filter logs it)', async () => {
    filterLog.mockClear();
    await failure(client, 'capture.fail');
    expect(filterLog).toHaveBeenCalledTimes(1);
    expect(filterLog.mock.calls[0]![0]).toBeInstanceOf(PaymentDeclined);
  });

  it("reports a pipe's error with its type", async () => {
    await expect(callTask(client, 'capture.piped', [21])).resolves.toBe(42);
    await expect(failure(client, 'capture.piped', ['x'])).resolves.toMatchObject({
      excType: 'BadRequestException',
      excMessage: 'amount must be a number',
    });
  });

  it("reports a guard's refusal as Nest's 'Forbidden resource' and a guard's own error as itself", async () => {
    await expect(failure(client, 'capture.denied')).resolves.toMatchObject({ excType: 'Error', excMessage: 'Forbidden resource' });
    await expect(failure(client, 'capture.locked')).resolves.toMatchObject({ excType: 'PaymentDeclined', excMessage: 'account locked' });
  });

  it('leaves interceptors in place: results are mapped, errors pass through them', async () => {
    await expect(callTask(client, 'capture.wrapped', [false])).resolves.toEqual({ wrapped: 'ok' });
    await expect(failure(client, 'capture.wrapped', [true])).resolves.toMatchObject({ excType: 'PaymentDeclined' });
  });

  it("reports a user filter's RpcException as its inner error", async () => {
    await expect(failure(client, 'capture.filtered')).resolves.toMatchObject({ excType: 'RangeError', excMessage: 'mapped: filtered' });
  });

  it('retries a task that threw ctx.retry() without passing the retry to the filters', async () => {
    filterLog.mockClear();
    attempts = 0;
    await expect(callTask(client, 'capture.retry')).resolves.toEqual({ wrapped: 'done after 1 retry' });
    expect(attempts).toBe(2);
    expect(filterLog).not.toHaveBeenCalled();
  });

  it('reports what leaves an interceptor that rewrites errors, and still retries a ctx.retry() it rewrote', async () => {
    await expect(failure(client, 'rewrite.fail')).resolves.toMatchObject({ excType: 'Error', excMessage: 'rewritten: card expired' });
    rewrittenAttempts = 0;
    await expect(callTask(client, 'rewrite.retry')).resolves.toBe('done');
    expect(rewrittenAttempts).toBe(2);
  });

  it('leaves calls of other transports to the filters untouched', async () => {
    installCeleryErrorCapture();
    const handler = new RpcExceptionsHandler();
    const error = new PaymentDeclined('elsewhere');
    const host = new ExecutionContextHost([{ some: 'payload' }, { not: 'a celery context' }]) as ArgumentsHost;
    await expect(lastValueFrom(handler.handle(error, host))).rejects.toEqual({ status: 'error', message: 'Internal server error' });
  });
});

describe('@OnEvent error capture in Nest exception handler', () => {
  let worker: TestWorker;
  let client: CeleryClient;
  const filterLog = jest.spyOn((BaseRpcExceptionFilter as unknown as { logger: { error: (error: unknown) => void } }).logger, 'error');

  beforeAll(async () => {
    worker = await startTestWorker({ controllers: [FailingSubscribers] }, { serverOptions: { service: 'capture' } });
    client = await createTestClient(worker.broker);
  });

  afterAll(async () => {
    await client.close();
    await worker.close();
    filterLog.mockRestore();
  });

  async function deadLettered(routingKey: string): Promise<Record<string, unknown>> {
    const dead = awaitPublished(worker.broker as MemoryBroker, { exchange: 'capture.dead-letter' });
    await client.sendTask(routingKey, [{}], {}, { exchange: 'shop', routingKey, replyTo: null });
    return (await dead).properties.headers ?? {};
  }

  it("dead-letters the event with the handler's own error, past its interceptors and without its filters", async () => {
    filterLog.mockClear();
    const headers = await deadLettered('shop.v1.fails');
    expect(headers).toMatchObject({ 'x-celery-rejected-reason': 'handler-failed' });
    expect(String(headers['x-celery-rejected-detail'])).toContain('handler failed');
    expect(filterLog).not.toHaveBeenCalled();
  });

  it("dead-letters the event with a guard's own error", async () => {
    const headers = await deadLettered('shop.v1.locked');
    expect(headers).toMatchObject({ 'x-celery-rejected-reason': 'handler-failed' });
    expect(String(headers['x-celery-rejected-detail'])).toContain('account locked');
  });
});
