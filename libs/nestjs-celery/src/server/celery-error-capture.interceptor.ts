import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Observable, type Subscriber } from 'rxjs';
import { CeleryContext } from './celery-context.js';
import { CeleryRetry } from './celery-retry.js';

/** Forwards the handler's stream, recording its error on the task's context first. */
class ErrorCapture {
  constructor(
    private readonly ctx: CeleryContext,
    private readonly downstream: Subscriber<unknown>,
  ) {}

  next(value: unknown): void {
    this.downstream.next(value);
  }

  error(error: unknown): void {
    this.ctx.captureError(error);
    if (error instanceof CeleryRetry) {
      this.downstream.next(null);
      this.downstream.complete();
    } else {
      this.downstream.error(error);
    }
  }

  complete(): void {
    this.downstream.complete();
  }
}

/**
 * Keeps the handler's original error on the {@link CeleryContext}: Nest's default RPC exception
 * filter replaces unknown errors with "Internal server error", but Celery callers need the real
 * type and message. Errors still travel on to the exception filters, so `@UseFilters` works;
 * a retry request is control flow, not a failure, and skips the filters (and their error log).
 * Applied by `@CeleryTask`. (Per task: one observable and one small observer, no operator chain.)
 */
export class CeleryErrorCaptureInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = context.switchToRpc().getContext();
    if (!(ctx instanceof CeleryContext)) return next.handle();
    return new Observable((subscriber) => next.handle().subscribe(new ErrorCapture(ctx, subscriber)));
  }
}
