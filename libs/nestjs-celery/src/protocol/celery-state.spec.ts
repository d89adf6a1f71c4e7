import { describe, expect, it } from '@jest/globals';
import { CeleryState, isPropagatedState, isReadyState } from './celery-state.js';

describe('Celery states', () => {
  it('names every state as Celery writes it', () => {
    expect(Object.values(CeleryState)).toEqual([
      'PENDING', 'RECEIVED', 'STARTED', 'SUCCESS', 'FAILURE', 'RETRY', 'REVOKED', 'REJECTED', 'IGNORED',
    ]);
    for (const [key, value] of Object.entries(CeleryState)) expect(key).toBe(value);
  });

  it.each([
    ['SUCCESS', true, false],
    ['FAILURE', true, true],
    ['REVOKED', true, true],
    ['PENDING', false, false],
    ['RECEIVED', false, false],
    ['STARTED', false, false],
    ['RETRY', false, false],
    ['REJECTED', false, false],
    ['IGNORED', false, false],
    ['PROGRESS', false, false],
    ['success', false, false],
  ])('%s: ready=%p propagate=%p', (state, ready, propagate) => {
    expect(isReadyState(state)).toBe(ready);
    expect(isPropagatedState(state)).toBe(propagate);
  });
});
