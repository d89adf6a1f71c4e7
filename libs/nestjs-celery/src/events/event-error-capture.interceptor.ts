import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { catchError, of, throwError, type Observable } from 'rxjs';
import { EventContext } from './event-context.js';

/**
 * Keeps an `@OnEvent` handler's error on its {@link EventContext} and ends the call there: the
 * dispatcher dead-letters the event with that error as the reason and one log line, so Nest's
 * default RPC exception filter does not log it a second time (nor replace it with "Internal server
 * error"). Applied by `@OnEvent`.
 */
export class EventErrorCaptureInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = context.switchToRpc().getContext();
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (!(ctx instanceof EventContext)) return throwError(() => error);
        ctx.captureError(error);
        return of(null);
      }),
    );
  }
}
