import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { CeleryTaskPayload } from '../server/task-arguments.binder.js';

/** The call's payload: `switchToRpc().getData()` without the two closures `switchToRpc()` adds to the context on every call. */
function payloadOf(context: ExecutionContext): CeleryTaskPayload {
  return context.getArgByIndex<CeleryTaskPayload>(0);
}

/** Injects the task's positional arguments array. */
export const TaskArgs = createParamDecorator((_data: unknown, context: ExecutionContext) => payloadOf(context).args);

/** Injects the task's keyword arguments object. */
export const TaskKwargs = createParamDecorator((_data: unknown, context: ExecutionContext) => payloadOf(context).kwargs);

/** Injects positional argument `index` (after keyword binding when the task declares `params`). */
export const TaskArg = createParamDecorator((index: number, context: ExecutionContext) => payloadOf(context).args[index]);

/** Injects keyword argument `name`. */
export const TaskKwarg = createParamDecorator((name: string, context: ExecutionContext) => payloadOf(context).kwargs[name]);
