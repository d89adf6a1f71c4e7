import { describe, expect, it } from '@jest/globals';
import { celeryDateDone, decodeTaskMeta, encodeTaskMeta } from './task-meta.codec.js';

describe('encodeTaskMeta', () => {
  it("writes what Celery 5.2's Redis backend stores, byte for byte (vector from backend.encode)", () => {
    const meta = encodeTaskMeta({
      task_id: 't',
      status: 'SUCCESS',
      result: { é: [1, 2.5, null, true] },
      traceback: null,
      children: [],
      groupId: 'g',
      now: new Date('2026-12-04T13:54:48.123Z'),
    });
    expect(meta).toBe(
      '{"status": "SUCCESS", "result": {"\\u00e9": [1, 2.5, null, true]}, "traceback": null, "children": [], "date_done": "2026-12-04T13:54:48.123000", "group_id": "g", "task_id": "t"}',
    );
  });

  it('has no date_done before a ready state, and the extended fields before task_id', () => {
    const meta = JSON.parse(
      encodeTaskMeta({
        task_id: 't',
        status: 'STARTED',
        result: { pid: 1 },
        traceback: null,
        children: [],
        parentId: 'p',
        extended: { name: 'a.b', args: [1], kwargs: { x: 2 }, worker: 'w@h', retries: 0, queue: 'q' },
      }),
    ) as Record<string, unknown>;
    expect(Object.keys(meta)).toEqual(['status', 'result', 'traceback', 'children', 'date_done', 'parent_id', 'name', 'args', 'kwargs', 'worker', 'retries', 'queue', 'task_id']);
    expect(meta.date_done).toBeNull();
  });

  it('writes date_done as 5.2 (naive UTC) or 5.3+ (+00:00) do', () => {
    const now = new Date('2026-01-02T03:04:05.006Z');
    expect(celeryDateDone(now, false)).toBe('2026-01-02T03:04:05.006000');
    expect(celeryDateDone(now, true)).toBe('2026-01-02T03:04:05.006000+00:00');
  });
});

describe('decodeTaskMeta', () => {
  it('reads a Python-stored meta with its extra fields', () => {
    const meta = decodeTaskMeta(
      '{"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["x"], "exc_module": "builtins"}, "traceback": "tb", "children": [], "date_done": "2026-12-04T13:54:48.123000", "group_id": "g", "task_id": "t"}',
    );
    expect(meta).toMatchObject({ task_id: 't', status: 'FAILURE', traceback: 'tb', date_done: '2026-12-04T13:54:48.123000', group_id: 'g' });
  });
});
