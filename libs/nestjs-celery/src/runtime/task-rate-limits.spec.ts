import { describe, expect, it, jest } from '@jest/globals';
import { TaskRateLimits } from './task-rate-limits.js';

const REGISTERED: Record<string, { rate?: string }> = { 'a.limited': { rate: '10/s' }, 'a.free': {} };

describe('TaskRateLimits', () => {
  it('a task without a limit runs at once; a limited one waits its turn in arrival order', async () => {
    jest.useFakeTimers();
    let now = 0;
    const limits = new TaskRateLimits((task) => REGISTERED[task], () => now);
    try {
      expect(limits.take('a.free')).toBeUndefined();
      const order: number[] = [];
      const turns = [0, 1, 2].map((i) => limits.take('a.limited')!.then((turn) => (order.push(i), turn)));
      await Promise.resolve();
      expect(order).toEqual([0]);
      now += 0.1;
      jest.advanceTimersByTime(100);
      await Promise.resolve();
      expect(order).toEqual([0, 1]);
      now += 0.1;
      jest.advanceTimersByTime(100);
      expect(await Promise.all(turns)).toEqual(['go', 'go', 'go']);
      expect(order).toEqual([0, 1, 2]);
    } finally {
      limits.close();
      jest.useRealTimers();
    }
  });

  it('set() changes a rate at run time, an empty one removes it; rateOf shows the current one', () => {
    const limits = new TaskRateLimits((task) => REGISTERED[task]);
    expect(limits.rateOf('a.limited')).toBe('10/s');
    expect(limits.rateOf('a.free')).toBeUndefined();
    limits.set('a.free', '5/m');
    expect(limits.rateOf('a.free')).toBe('5/m');
    limits.set('a.limited', '');
    expect(limits.rateOf('a.limited')).toBeUndefined();
    expect(limits.take('a.limited')).toBeUndefined();
    expect(() => limits.set('a.free', 'x/s')).toThrow('could not convert');
    expect(limits.rateOf('a.free')).toBe('5/m');
    expect(limits.knows('a.free')).toBe(true);
    expect(limits.knows('nope')).toBe(false);
    limits.close();
  });

  it('close() ends every wait with closed', async () => {
    let now = 0;
    const limits = new TaskRateLimits((task) => REGISTERED[task], () => now);
    expect(await limits.take('a.limited')).toBe('go');
    const waiting = limits.take('a.limited')!;
    limits.close();
    expect(await waiting).toBe('closed');
  });
});
