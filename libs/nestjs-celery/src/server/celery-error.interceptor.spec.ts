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
import { APP_FILTER } from '@nestjs/core';
import { BaseRpcExceptionFilter, Ctx, RpcException } from '@nestjs/microservices';
import { catchError, map, of, throwError, type Observable } from 'rxjs';
import type { CeleryClient } from '../client/celery-client.js';
import { CeleryTask, OnEvent, TaskArg } from '../index.js';
import type { CeleryRemoteError } from '../protocol/celery-remote.error.js';
import { awaitPublished, callTask, createTestClient, startTestWorker, type MemoryBroker, type TestWorker } from '../testing/index.js';
import { CeleryContext } from '../runtime/celery-context.js';
import { CeleryErrorInterceptor } from './celery-error.interceptor.js';

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

class WrappedLockedGuard implements CanActivate {
  canActivate(): boolean {
    throw new RpcException(new PaymentDeclined('account locked, wrapped'));
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

class OverdraftError extends Error {
  override readonly name = 'OverdraftError';
}

/** A class-level filter: maps OverdraftError to an RpcException around a RangeError. */
@Catch(OverdraftError)
class OverdraftToRpcFilter implements ExceptionFilter {
  catch(error: OverdraftError): Observable<never> {
    return throwError(() => new RpcException(new RangeError(`class filter: ${error.message}`)));
  }
}

/** A global catch-all filter in the style of Nest's docs: it logs, then lets Nest's default filter answer. */
@Catch()
class CountingGlobalFilter extends BaseRpcExceptionFilter {
  static seen: unknown[] = [];
  override catch(exception: unknown, host: ArgumentsHost): Observable<unknown> {
    CountingGlobalFilter.seen.push(exception);
    return super.catch(exception, host);
  }
}

/** A global filter for one type that answers with a value: the task then succeeds with it. */
@Catch(SyntaxError)
class FallbackGlobalFilter implements ExceptionFilter {
  catch(error: SyntaxError): Observable<unknown> {
    return of(`fallback after ${error.message}`);
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

  @CeleryTask('capture.locked-wrapped')
  @UseGuards(WrappedLockedGuard)
  lockedWrapped(): string {
    return 'never';
  }

  @CeleryTask('capture.syntax')
  syntax(): never {
    throw new SyntaxError('bad input');
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

@Controller()
@UseFilters(OverdraftToRpcFilter)
class ClassFilteredTasks {
  @CeleryTask('class.overdraft')
  overdraft(): never {
    throw new OverdraftError('over the limit');
  }

  @CeleryTask('class.other')
  other(): never {
    throw new PaymentDeclined('not for the class filter');
  }

  @CeleryTask('class.method-first')
  @UseFilters(DeclinedToRpcFilter)
  methodFirst(): never {
    throw new PaymentDeclined('method filter');
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

  @OnEvent('shop.*.locked-wrapped', { exchange: 'shop' })
  @UseGuards(WrappedLockedGuard)
  onLockedWrapped(): string {
    return 'never';
  }
}

/** Nest's default RPC filter logs every error it replaces through this (protected) logger. */
function spyOnFilterLog() {
  return jest.spyOn((BaseRpcExceptionFilter as unknown as { logger: { error: (error: unknown) => void } }).logger, 'error');
}

async function failure(client: CeleryClient, task: string, args: unknown[] = []): Promise<CeleryRemoteError> {
  return callTask(client, task, args).then(
    () => {
      throw new Error(`expected ${task} to fail`);
    },
    (error: unknown) => error as CeleryRemoteError,
  );
}

describe('CeleryErrorInterceptor: task errors reach the caller with their type', () => {
  let worker: TestWorker;
  let client: CeleryClient;
  let filterLog: ReturnType<typeof spyOnFilterLog>;

  beforeAll(async () => {
    filterLog = spyOnFilterLog();
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

  it("reports a guard's refusal as Nest's 'Forbidden resource' and a guard's RpcException as its inner error", async () => {
    await expect(failure(client, 'capture.denied')).resolves.toMatchObject({ excType: 'Error', excMessage: 'Forbidden resource' });
    await expect(failure(client, 'capture.locked-wrapped')).resolves.toMatchObject({
      excType: 'PaymentDeclined',
      excMessage: 'account locked, wrapped',
    });
  });

  it("reports a guard's own error as Nest's filters answer it (guards run before any interceptor)", async () => {
    filterLog.mockClear();
    await expect(failure(client, 'capture.locked')).resolves.toMatchObject({ excType: 'Error', excMessage: 'Internal server error' });
    expect(filterLog.mock.calls.map(([error]) => error)).toEqual([expect.objectContaining({ name: 'PaymentDeclined', message: 'account locked' })]);
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
    await expect(failure(client, 'rewrite.fail')).resolves.toMatchObject({
      excType: 'Error',
      excMessage: 'rewritten: card expired',
      excArgs: [{ message: 'rewritten: card expired' }],
    });
    rewrittenAttempts = 0;
    await expect(callTask(client, 'rewrite.retry')).resolves.toBe('done');
    expect(rewrittenAttempts).toBe(2);
  });

  it('leaves calls of other transports untouched', () => {
    const handled = of('value');
    const context = { switchToRpc: () => ({ getContext: () => ({ not: 'a celery context' }) }) } as unknown as ExecutionContext;
    expect(new CeleryErrorInterceptor().intercept(context, { handle: () => handled })).toBe(handled);
  });
});

describe('CeleryErrorInterceptor: user filters still run', () => {
  let worker: TestWorker;
  let client: CeleryClient;

  beforeAll(async () => {
    worker = await startTestWorker({
      controllers: [CaptureTasks, ClassFilteredTasks],
      providers: [
        { provide: APP_FILTER, useClass: CountingGlobalFilter },
        { provide: APP_FILTER, useClass: FallbackGlobalFilter },
      ],
    });
    client = await createTestClient(worker.broker);
  });

  afterAll(async () => {
    await client.close();
    await worker.close();
  });

  it('runs a global catch-all filter, and the caller still gets the real error when it lets Nest answer', async () => {
    CountingGlobalFilter.seen = [];
    await expect(failure(client, 'capture.fail')).resolves.toMatchObject({ excType: 'PaymentDeclined', excMessage: 'card expired' });
    expect(CountingGlobalFilter.seen).toEqual([expect.objectContaining({ name: 'PaymentDeclined', message: 'card expired' })]);
  });

  it("runs a global filter for a guard's own error too", async () => {
    CountingGlobalFilter.seen = [];
    await failure(client, 'capture.locked');
    expect(CountingGlobalFilter.seen).toEqual([expect.objectContaining({ message: 'account locked' })]);
  });

  it("lets a global filter's answer stand: a value makes the task succeed", async () => {
    await expect(callTask(client, 'capture.syntax')).resolves.toBe('fallback after bad input');
  });

  it('runs a class-level filter for its type, and the global one for the others', async () => {
    CountingGlobalFilter.seen = [];
    await expect(failure(client, 'class.overdraft')).resolves.toMatchObject({ excType: 'RangeError', excMessage: 'class filter: over the limit' });
    expect(CountingGlobalFilter.seen).toEqual([]);
    await expect(failure(client, 'class.other')).resolves.toMatchObject({ excType: 'PaymentDeclined', excMessage: 'not for the class filter' });
    expect(CountingGlobalFilter.seen).toHaveLength(1);
  });

  it('runs a method-level filter before the class-level and global ones', async () => {
    CountingGlobalFilter.seen = [];
    await expect(failure(client, 'class.method-first')).resolves.toMatchObject({ excType: 'RangeError', excMessage: 'mapped: method filter' });
    expect(CountingGlobalFilter.seen).toEqual([]);
  });

  it('keeps retries away from the filters', async () => {
    CountingGlobalFilter.seen = [];
    attempts = 0;
    await expect(callTask(client, 'capture.retry')).resolves.toEqual({ wrapped: 'done after 1 retry' });
    expect(CountingGlobalFilter.seen).toEqual([]);
  });
});

describe('CeleryErrorInterceptor: @OnEvent errors', () => {
  let worker: TestWorker;
  let client: CeleryClient;
  let filterLog: ReturnType<typeof spyOnFilterLog>;

  beforeAll(async () => {
    filterLog = spyOnFilterLog();
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

  it("dead-letters the event with a guard's RpcException as its inner error", async () => {
    const headers = await deadLettered('shop.v1.locked-wrapped');
    expect(headers).toMatchObject({ 'x-celery-rejected-reason': 'handler-failed' });
    expect(String(headers['x-celery-rejected-detail'])).toContain('account locked, wrapped');
  });

  it("dead-letters the event with Nest's answer to a guard's own error, which Nest logs (guards run before any interceptor)", async () => {
    filterLog.mockClear();
    const headers = await deadLettered('shop.v1.locked');
    expect(headers).toMatchObject({ 'x-celery-rejected-reason': 'handler-failed' });
    expect(String(headers['x-celery-rejected-detail'])).toContain('Internal server error');
    expect(filterLog.mock.calls.map(([error]) => error)).toEqual([expect.objectContaining({ message: 'account locked' })]);
  });
});
