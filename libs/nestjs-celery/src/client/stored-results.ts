/** What result handles ask a storing backend (Redis) directly. */
export interface StoredResults {
  /** Deletes a task's stored result. */
  forget(taskId: string): Promise<void>;
  /** Stores a group's member ids (`celery-taskset-meta-<id>`). */
  saveGroup(groupId: string, taskIds: string[]): Promise<void>;
  /** Deletes a saved group. */
  deleteGroup(groupId: string): Promise<void>;
}
