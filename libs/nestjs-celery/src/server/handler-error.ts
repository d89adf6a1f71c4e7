import { RpcException } from '@nestjs/microservices';
import type { CeleryContext } from './celery-context.js';

/**
 * Turns what came out of Nest's pipeline back into the error the handler threw: an
 * `RpcException` (from a guard or a user filter) gives its inner error, else the error the
 * task's or event's error capture kept on the context, else what was thrown; plain objects (Nest's
 * default filter output) become an `Error` with their message. Used for tasks and events alike.
 */
export function unwrapHandlerError(error: unknown, ctx: CeleryContext): unknown {
  if (error instanceof RpcException) {
    const inner = error.getError();
    return inner instanceof Error ? inner : new Error(typeof inner === 'string' ? inner : JSON.stringify(inner));
  }
  const captured = ctx.capturedError;
  if (captured) return captured.error;
  if (error && typeof error === 'object' && !(error instanceof Error)) {
    const { message } = error as { message?: unknown };
    return new Error(typeof message === 'string' ? message : JSON.stringify(error));
  }
  return error;
}
