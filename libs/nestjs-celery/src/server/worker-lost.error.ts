/**
 * Celery's `billiard.exceptions.WorkerLostError`: the worker running a task was lost. A Nest
 * worker reports it for a redelivered message of a task with `rejectOnWorkerLost: false`.
 */
export class WorkerLostError extends Error {
  override readonly name = 'WorkerLostError';
  readonly excModule = 'billiard.exceptions';

  constructor() {
    super('Worker exited prematurely: the task was redelivered after its worker was lost before acknowledging it.');
  }
}
