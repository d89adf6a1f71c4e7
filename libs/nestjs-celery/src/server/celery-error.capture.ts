import type { ArgumentsHost } from '@nestjs/common';
import { RpcExceptionsHandler } from '@nestjs/microservices/exceptions/rpc-exceptions-handler.js';
import { of, type Observable } from 'rxjs';
import { EventContext } from '../events/event-context.js';
import { CeleryContext } from '../runtime/celery-context.js';
import { CeleryRetry } from '../runtime/celery-retry.js';

const INSTALLED = Symbol.for('nestjs-celery.taskErrorCapture');

type Handle = (exception: unknown, host: ArgumentsHost, reportUnhandled?: boolean) => Observable<unknown>;

/**
 * Keeps the error of a `@CeleryTask` or `@OnEvent` call on its context where Nest hands it to
 * the exception filters.
 *
 * Tasks: the error is kept on the {@link CeleryContext} and the filters run as before:
 * Nest's default RPC filter replaces unknown errors with "Internal server error", but Celery
 * callers need the real type and message. Every error of a `@CeleryTask` call (handler, pipes,
 * guards, interceptors) reaches `RpcExceptionsHandler.handle` with the call's arguments
 * `[payload, ctx]`; this records it there and lets the filters run as before. A retry request is
 * control flow, not a failure: it skips the filters (and their error log) and ends the call
 * with `null`, and `ServerCelery` retries the task. A call that made a retry with `ctx.retry()`
 * and failed is that retry even when an interceptor replaced the error on its way out.
 *
 * `@OnEvent` handlers: the error is kept on the `EventContext` and the call ends with `null`,
 * without the filters: the event dispatcher dead-letters the event with that error and logs it
 * once. Calls of other transports pass through untouched.
 *
 * Doing this in Nest's exception handler rather than in an interceptor keeps a handler without
 * interceptors off Nest's observable pipeline entirely (about 4 µs of CPU per task). The error
 * kept is the one that leaves the interceptors: one that rewrites errors (say, to an
 * `RpcException`) decides what the caller sees.
 * Installed once per process by `ServerCelery`; idempotent.
 */
export function installCeleryErrorCapture(): void {
  const prototype = RpcExceptionsHandler.prototype as unknown as { handle: Handle; [INSTALLED]?: true };
  if (prototype[INSTALLED]) return;
  const handle = prototype.handle;
  prototype.handle = function handleCapturingTaskErrors(this: RpcExceptionsHandler, exception, host, reportUnhandled) {
    const ctx: unknown = host.getArgByIndex(1);
    if (ctx instanceof EventContext) {
      ctx.captureError(exception);
      return of(null);
    }
    if (ctx instanceof CeleryContext) {
      const retry = exception instanceof CeleryRetry ? exception : ctx.requestedRetry;
      ctx.captureError(retry ?? exception);
      if (retry) return of(null);
    }
    return handle.call(this, exception, host, reportUnhandled);
  };
  prototype[INSTALLED] = true;
}
