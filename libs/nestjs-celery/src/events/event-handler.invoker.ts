import type { MessageHandler } from '@nestjs/microservices';
import { RpcException } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { BaseRpcContext } from '@nestjs/microservices';
import type { EventContext } from './event-context.js';

/** `Server.runWithProcessingHooks`, handed in by `ServerCelery` (it is protected there). */
export type ProcessingHooksRunner = (context: BaseRpcContext, fn: (endHook: () => void) => Promise<void>) => void;

/** The error the handler threw, before Nest's exception filters replaced it. */
function handlerError(error: unknown, ctx: EventContext): Error {
  const original = ctx.capturedError?.error ?? (error instanceof RpcException ? error.getError() : error);
  if (original instanceof Error) return original;
  if (typeof original === 'string') return new Error(original);
  const message = (original as { message?: unknown } | null)?.message;
  return new Error(typeof message === 'string' ? message : JSON.stringify(original));
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
        // The error-capture interceptor ends a failed call quietly and keeps its error here.
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
