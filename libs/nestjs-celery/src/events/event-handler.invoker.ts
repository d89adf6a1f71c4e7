import type { MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { BaseRpcContext } from '@nestjs/microservices';
import { unwrapHandlerError } from '../runtime/handler-error.js';
import type { EventContext } from './event-context.js';

/** `Server.runWithProcessingHooks`, handed in by `ServerCelery` (it is protected there). */
export type ProcessingHooksRunner = (context: BaseRpcContext, fn: (endHook: () => void) => Promise<void>) => void;

/** The error the handler threw (see {@link unwrapHandlerError}), as an `Error`. */
function handlerError(error: unknown, ctx: EventContext): Error {
  const original = unwrapHandlerError(error, ctx);
  return original instanceof Error ? original : new Error(String(original));
}

/**
 * Runs one `@OnEvent` handler through Nest's pipeline (processing hooks, guards, interceptors,
 * pipes, filters) and resolves when it finished; rejects with the error the handler threw.
 */
export function invokeEventHandler(
  handler: MessageHandler,
  payload: unknown,
  ctx: EventContext,
  runWithProcessingHooks: ProcessingHooksRunner,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    runWithProcessingHooks(ctx, async (endHook) => {
      try {
        const produced: unknown = await handler(payload, ctx);
        if (isObservable(produced)) await lastValueFrom(produced, { defaultValue: null });
        // CeleryErrorInterceptor ends a failed call quietly and keeps its error here.
        if (ctx.capturedError) reject(handlerError(ctx.capturedError.error, ctx));
        else resolve();
      } catch (error) {
        reject(handlerError(error, ctx));
      } finally {
        endHook();
      }
    });
  });
}
