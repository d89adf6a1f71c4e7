import type { AsyncResult, GetResultOptions } from './async-result.js';

/** The results of a group of tasks, like Celery's `GroupResult`. */
export class GroupResult<T = unknown> {
  constructor(
    /** The group id, sent as the `group` header of every member. */
    readonly id: string,
    /** One result per member, in the order the tasks were given. */
    readonly results: AsyncResult<T>[],
  ) {}

  /** True once every member finished. */
  ready(): boolean {
    return this.results.every((r) => r.ready());
  }

  /** Waits for every member; resolves with their values in order, or rejects with the first failure. */
  get(options: GetResultOptions = {}): Promise<T[]> {
    return Promise.all(this.results.map((r) => r.get(options)));
  }
}
