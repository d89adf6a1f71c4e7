/** Celery's key prefixes of key-value result backends (`BaseKeyValueStoreBackend`). */
export const TASK_KEY_PREFIX = 'celery-task-meta-';
export const GROUP_KEY_PREFIX = 'celery-taskset-meta-';

/** `celery-task-meta-<id>`: a task's result, and the channel its updates are published on. */
export function taskMetaKey(taskId: string): string {
  return TASK_KEY_PREFIX + taskId;
}

/** `celery-taskset-meta-<id>`: a saved group result (`GroupResult.save()`). */
export function groupMetaKey(groupId: string): string {
  return GROUP_KEY_PREFIX + groupId;
}

/**
 * The three keys of a chord on Redis (`RedisBackend.on_chord_part_return`): `.j` the sorted set
 * of finished header parts (scored by `group_index`), `.t` the extra parts `add_to_chord` added,
 * `.s` the header size `set_chord_size` wrote.
 */
export function chordKeys(groupId: string): { join: string; total: string; size: string } {
  const base = groupMetaKey(groupId);
  return { join: `${base}.j`, total: `${base}.t`, size: `${base}.s` };
}
