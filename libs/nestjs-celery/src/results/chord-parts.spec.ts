import { describe, expect, it } from '@jest/globals';
import { encodeChordPart, exceptionRepr, unpackChordParts } from './chord-parts.js';
import { chordKeys, groupMetaKey, taskMetaKey } from './result-keys.js';

describe('chord parts', () => {
  it("encode a part as on_chord_part_return does (vector from Celery's backend.encode)", () => {
    expect(encodeChordPart('tid', 'FAILURE', { exc_type: 'ValueError', exc_message: ['boom'], exc_module: 'builtins' })).toBe(
      '[1, "tid", "FAILURE", {"exc_type": "ValueError", "exc_message": ["boom"], "exc_module": "builtins"}]',
    );
  });

  it('unpack to the values in order, or the ChordError of the first failed part', () => {
    expect(unpackChordParts([encodeChordPart('a', 'SUCCESS', 1), encodeChordPart('b', 'SUCCESS', [2])])).toEqual({ ok: true, values: [1, [2]] });
    const failed = unpackChordParts([
      encodeChordPart('a', 'SUCCESS', 1),
      encodeChordPart('b', 'FAILURE', { exc_type: 'ValueError', exc_message: ['boom'], exc_module: 'builtins' }),
      encodeChordPart('c', 'REVOKED', { exc_type: 'TaskRevokedError', exc_message: ['revoked'], exc_module: 'celery.exceptions' }),
    ]);
    expect(failed).toEqual({
      ok: false,
      error: { exc_type: 'ChordError', exc_message: ["Dependency b raised ValueError('boom')"], exc_module: 'celery.exceptions' },
    });
  });

  it("repr exceptions as Python does: ValueError('boom'), ValueError('a', 1), ValueError()", () => {
    expect(exceptionRepr({ exc_type: 'ValueError', exc_message: ['boom'], exc_module: 'builtins' })).toBe("ValueError('boom')");
    expect(exceptionRepr({ exc_type: 'ValueError', exc_message: ['a', 1], exc_module: 'builtins' })).toBe("ValueError('a', 1)");
    expect(exceptionRepr({ exc_type: 'ValueError', exc_message: [], exc_module: 'builtins' })).toBe('ValueError()');
  });

  it("name Celery's keys", () => {
    expect(taskMetaKey('x')).toBe('celery-task-meta-x');
    expect(groupMetaKey('g')).toBe('celery-taskset-meta-g');
    expect(chordKeys('g')).toEqual({ join: 'celery-taskset-meta-g.j', total: 'celery-taskset-meta-g.t', size: 'celery-taskset-meta-g.s' });
  });
});
