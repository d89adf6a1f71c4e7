import {
  type CallHandler,
  type CanActivate,
  Catch,
  Controller,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
  UseFilters,
  UseGuards,
  UseInterceptors,
  ValidationPipe,
} from '@nestjs/common';
import { Ctx, RpcException } from '@nestjs/microservices';
import { catchError, map, throwError, type Observable } from 'rxjs';
import { CeleryContext, CeleryTask, TaskArg, TaskKwarg } from 'nestjs-celery';
import { ValueError } from './value.error.js';
import { LineDto } from './values.tasks.js';

/** Thrown by the pipeline tasks; the class-level filter maps it, Python never sees this name. */
export class QuotaExceeded extends Error {
  override readonly name = 'QuotaExceeded';
}

/** Thrown by a task; the module's global filter maps it (see `GlobalLimitFilter`). */
export class LimitReached extends Error {
  override readonly name = 'LimitReached';
}

/**
 * Lets a call through only with `token='secret'`; `token='locked'` is refused with a typed error
 * in an `RpcException`, `token='raw'` with the bare error (which Nest's filter answers generically).
 */
class TokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const { kwargs } = context.switchToRpc().getData<{ kwargs: Record<string, unknown> }>();
    if (kwargs.token === 'locked') throw new RpcException(new PermissionError('account locked'));
    if (kwargs.token === 'raw') throw new PermissionError('account locked, raw');
    return kwargs.token === 'secret';
  }
}

/** Travels as Python's builtin `PermissionError`. */
class PermissionError extends Error {
  override readonly name = 'PermissionError';
}

/** Maps results, and rewrites every error into an `RpcException` with data (a common microservice pattern). */
class EnvelopeInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((value) => ({ ok: value })),
      catchError((error: Error) => throwError(() => new RpcException({ code: 'WRAPPED', message: `${error.name}: ${error.message}` }))),
    );
  }
}

/** A class-level filter: `QuotaExceeded` reaches the caller as a `ValueError`. */
@Catch(QuotaExceeded)
class QuotaFilter implements ExceptionFilter {
  catch(error: QuotaExceeded): Observable<never> {
    return throwError(() => new RpcException(new ValueError(`quota: ${error.message}`)));
  }
}

/** Registered globally by the interop worker's module: `LimitReached` reaches the caller as a `ValueError`. */
@Catch(LimitReached)
export class GlobalLimitFilter implements ExceptionFilter {
  catch(error: LimitReached): Observable<never> {
    return throwError(() => new RpcException(new ValueError(`global limit: ${error.message}`)));
  }
}

/**
 * Tasks that fail in each part of Nest's pipeline (guard, pipe, interceptor, class-level and
 * global filters, retry through an interceptor), so callers in both languages can check what
 * each failure becomes on the wire.
 */
@Controller()
@UseFilters(QuotaFilter)
export class PipelineTasks {
  @CeleryTask('interop.pipeline.guarded', { params: ['value', '**options'] })
  @UseGuards(TokenGuard)
  guarded(@TaskArg(0) value: number, @TaskKwarg('token') _token: string): number {
    return value;
  }

  @CeleryTask('interop.pipeline.validated', { params: ['line'] })
  validated(@TaskArg(0, new ValidationPipe({ validateCustomDecorators: true })) line: LineDto): string {
    return line.sku;
  }

  @CeleryTask('interop.pipeline.enveloped', { params: ['fail'] })
  @UseInterceptors(EnvelopeInterceptor)
  enveloped(@TaskArg(0) fail: boolean): string {
    if (fail) throw new ValueError('inner failure');
    return 'fine';
  }

  @CeleryTask('interop.pipeline.quota', { params: [] })
  quota(): never {
    throw new QuotaExceeded('10 calls per minute');
  }

  @CeleryTask('interop.pipeline.limit', { params: [] })
  limit(): never {
    throw new LimitReached('3 parallel calls');
  }

  @CeleryTask('interop.pipeline.retry_enveloped', { params: ['failures'] })
  @UseInterceptors(EnvelopeInterceptor)
  retryEnveloped(@TaskArg(0) failures: number, @Ctx() ctx: CeleryContext): number {
    if (ctx.retries < failures) throw ctx.retry({ countdown: 0.1, maxRetries: failures });
    return ctx.retries;
  }
}
