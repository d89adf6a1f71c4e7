import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { catchError, of, throwError, type Observable } from 'rxjs';
import { CeleryContext } from './celery-context.js';
import { CeleryRetry } from './celery-retry.js';

/**
 * Keeps the handler's original error on the {@link CeleryContext}: Nest's default RPC exception
 * filter replaces unknown errors with "Internal server error", but Celery callers need the real
 * type and message. Errors still travel on to the exception filters, so `@UseFilters` works;
 * a retry request is control flow, not a failure, and skips the filters (and their error log).
 * Applied by `@CeleryTask`.
 */
export class CeleryErrorCaptureInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = context.switchToRpc().getContext();
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (!(ctx instanceof CeleryContext)) return throwError(() => error);
        ctx.captureError(error);
        return error instanceof CeleryRetry ? of(null) : throwError(() => error);
      }),
    );
  }
}
