import type { AsyncResult, GetResultOptions } from './async-result.js';
import type { StoredResults } from './stored-results.js';

/** The results of a group of tasks, like Celery's `GroupResult`. */
export class GroupResult<T = unknown> {
  constructor(
    /** The group id, sent as the `group` header of every member. */
    readonly id: string,
    /** One result per member, in the order the tasks were given. */
    readonly results: AsyncResult<T>[],
    /** The storing backend (Redis) for {@link save} and {@link delete}. */
    private readonly backend?: StoredResults,
  ) {}

  /** True once every member finished. */
  ready(): boolean {
    return this.results.every((r) => r.ready());
  }

  /** Number of members that finished. */
  completedCount(): number {
    return this.results.filter((r) => r.successful()).length;
  }

  /** Waits for every member; resolves with their values in order, or rejects with the first failure. */
  get(options: GetResultOptions = {}): Promise<T[]> {
    return Promise.all(this.results.map((r) => r.get(options)));
  }

  /**
   * Celery's `join()`: waits for the members one after another, in order, and resolves with their
   * values; the first member (in order) that failed throws its error. `timeout` applies to the whole join.
   */
  async join(options: GetResultOptions = {}): Promise<T[]> {
    const deadline = options.timeout === undefined ? undefined : Date.now() + options.timeout;
    const values: T[] = [];
    for (const result of this.results) {
      const timeout = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
      values.push(await result.get({ ...options, timeout }));
    }
    return values;
  }

  /**
   * Celery's `save()`: stores the group as `celery-taskset-meta-<id>`, so any client (Python's
   * `GroupResult.restore(id)` too) can find its members. Needs the Redis result backend.
   */
  async save(): Promise<void> {
    if (!this.backend) throw new Error('GroupResult.save() needs a result backend that stores results (resultBackend: redis://…)');
    await this.backend.saveGroup(this.id, this.results.map((r) => r.id));
  }

  /** Celery's `delete()`: removes the saved group (not its members' results). */
  async delete(): Promise<void> {
    await this.backend?.deleteGroup(this.id);
  }

  /** Celery's `forget()`: forgets every member's result. */
  async forget(): Promise<void> {
    await Promise.all(this.results.map((r) => r.forget()));
  }
}
