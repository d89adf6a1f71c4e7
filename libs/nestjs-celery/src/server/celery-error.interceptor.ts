import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { catchError, of, throwError, type Observable } from 'rxjs';
import { CeleryContext } from '../runtime/celery-context.js';

/**
 * Keeps the error of a `@CeleryTask` or `@OnEvent` call on its context, before Nest's exception
 * filters see it. `@CeleryTask` and `@OnEvent` apply it to every handler (method level), so it
 * needs no registration and works in hybrid apps too.
 *
 * Nest's default RPC filter replaces an unknown error with "Internal server error", but a Celery
 * caller needs the real type, message and traceback: `ServerCelery` reports the kept error when
 * the filters answered with Nest's default answer for it, and what a filter (or an interceptor
 * around this one) deliberately answered otherwise (see `unwrapHandlerError`). The error still
 * reaches the filters, so user filters (method, class, global) run as for any transport.
 *
 * Two failures end the call quietly instead, without the filters: a retry request (`ctx.retry()`,
 * control flow that `ServerCelery` turns into a retry), and any `@OnEvent` failure (the event
 * dispatcher dead-letters the event with the kept error and logs it once).
 *
 * It sees what the handler, its pipes and the interceptors inside it throw; not a guard's own
 * error (guards run before interceptors): that one reaches the caller as the filters answer it.
 * Calls of other transports pass through untouched.
 */
export class CeleryErrorInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx: unknown = context.switchToRpc().getContext();
    if (!(ctx instanceof CeleryContext)) return next.handle();
    return next.handle().pipe(catchError((error: unknown) => (ctx.keepFailure(error) ? of(null) : throwError(() => error))));
  }
}

/** The one instance `@CeleryTask` and `@OnEvent` apply (it holds no state). */
export const celeryErrorInterceptor = new CeleryErrorInterceptor();
