import { RpcException } from '@nestjs/microservices';
import type { CeleryContext } from './celery-context.js';

/**
 * Turns what came out of Nest's pipeline back into the error the handler threw: an
 * `RpcException` (from a guard or a user filter) counts first, else the error the task's or
 * event's error capture kept on the context, else what was thrown; plain objects (Nest's default
 * filter output) become an `Error` with their message. Used for tasks and events alike.
 */
export function unwrapHandlerError(error: unknown, ctx: CeleryContext): unknown {
  if (error instanceof RpcException) return unwrapRpcException(error);
  const captured = ctx.capturedError;
  if (captured) return captured.error instanceof RpcException ? unwrapRpcException(captured.error) : captured.error;
  if (error && typeof error === 'object' && !(error instanceof Error)) {
    const { message } = error as { message?: unknown };
    return new Error(typeof message === 'string' ? message : JSON.stringify(error));
  }
  return error;
}

/**
 * The `Error` an `RpcException` wraps, or the exception itself when it wraps data (a string or
 * an object), so the data reaches the caller as it is (see `nestExceptionArgs`).
 */
function unwrapRpcException(exception: RpcException): unknown {
  const inner = exception.getError();
  return inner instanceof Error ? inner : exception;
}
