import { RpcException } from '@nestjs/microservices';
import type { CeleryContext } from './celery-context.js';

/** What Nest's default RPC filter (`BaseRpcExceptionFilter`) answers for an error that is not an `RpcException`. */
const NEST_UNKNOWN_ERROR_MESSAGE = 'Internal server error';

/**
 * Turns what came out of Nest's pipeline back into the error the handler threw. Used for tasks
 * and events alike:
 * - an `RpcException` (a user filter's answer) counts as its inner error;
 * - Nest's default answer for the error `CeleryErrorInterceptor` kept on the context (say,
 *   "Internal server error") counts as that error, with its real type;
 * - any other answer (a user filter's, or an `RpcException` an interceptor around the handler
 *   made) is what the caller gets (data as in {@link answerAsError}).
 */
export function unwrapHandlerError(error: unknown, ctx: CeleryContext): unknown {
  if (error instanceof RpcException) return unwrapRpcException(error);
  const captured = ctx.capturedError;
  if (captured && (error === captured.error || isDefaultAnswer(error, captured.error))) {
    return captured.error instanceof RpcException ? unwrapRpcException(captured.error) : captured.error;
  }
  if (error && typeof error === 'object' && !(error instanceof Error)) return answerAsError(error);
  return error;
}

/**
 * An answer that is data, as an error: Nest's `{ status: 'error', message }` (a guard's refusal, an
 * `RpcException` of a string) becomes an `Error` with that message; other data (an `RpcException`'s
 * object, a filter's) an `RpcException` of it, so the data reaches the caller as its argument.
 */
function answerAsError(answer: object): Error {
  const { status, message } = answer as { status?: unknown; message?: unknown };
  if (status === 'error' && typeof message === 'string' && Object.keys(answer).length === 2) return new Error(message);
  return new RpcException(answer);
}

/**
 * True when `answer` is what Nest's default RPC filter throws for `error`: an `RpcException`'s
 * object as it is, its other data as `{ status: 'error', message }`, and for any other error
 * `{ status: 'error', message: 'Internal server error' }`.
 */
function isDefaultAnswer(answer: unknown, error: unknown): boolean {
  if (error instanceof RpcException) {
    const data = error.getError();
    if (typeof data === 'object' && data !== null) return answer === data;
    return isStatusAnswer(answer, data);
  }
  return isStatusAnswer(answer, NEST_UNKNOWN_ERROR_MESSAGE);
}

function isStatusAnswer(answer: unknown, message: unknown): boolean {
  if (typeof answer !== 'object' || answer === null || answer instanceof Error) return false;
  const { status, message: said } = answer as { status?: unknown; message?: unknown };
  return status === 'error' && said === message;
}

/**
 * The `Error` an `RpcException` wraps, or the exception itself when it wraps data (a string or
 * an object), so the data reaches the caller as it is (see `nestExceptionArgs`).
 */
function unwrapRpcException(exception: RpcException): unknown {
  const inner = exception.getError();
  return inner instanceof Error ? inner : exception;
}
