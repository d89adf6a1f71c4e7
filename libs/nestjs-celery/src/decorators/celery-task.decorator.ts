import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { celeryErrorInterceptor } from '../server/celery-error.interceptor.js';
import { CELERY_TASK_OPTIONS, validateCeleryTaskOptions, type CeleryTaskOptions } from '../server/celery-task.options.js';
import { CELERY_TRANSPORT } from '../server/celery-transport.js';

/**
 * Registers a method as the handler of Celery task `name` on `ServerCelery`. The handler runs
 * through Nest's pipeline (guards, interceptors, pipes, filters) and receives the payload
 * `{ args, kwargs }` (or use `@TaskArg`, `@TaskKwarg`, …) and the `CeleryContext` (`@Ctx()`).
 * Its return value is the task result; a thrown error becomes a FAILURE with its type and message
 * (kept by `CeleryErrorInterceptor`, which this applies at method level; user filters still run).
 */
export function CeleryTask(name: string, options: CeleryTaskOptions = {}): MethodDecorator {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new TypeError(`@CeleryTask(name): name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  validateCeleryTaskOptions(name, options);
  return applyDecorators(MessagePattern(name, CELERY_TRANSPORT, { [CELERY_TASK_OPTIONS]: options }), UseInterceptors(celeryErrorInterceptor));
}
