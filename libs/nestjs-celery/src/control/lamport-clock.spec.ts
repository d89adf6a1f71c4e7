import { describe, expect, it } from '@jest/globals';
import { LamportClock } from './lamport-clock.js';

describe('LamportClock', () => {
  it('forwards by one and adjusts past a higher clock, like kombu', () => {
    const clock = new LamportClock();
    expect(clock.forward()).toBe(1);
    expect(clock.adjust(10)).toBe(11);
    expect(clock.adjust(3)).toBe(12);
    expect(clock.forward()).toBe(13);
    expect(clock.value).toBe(13);
  });

  it('treats a missing or non-numeric clock header as 0', () => {
    const clock = new LamportClock();
    expect(clock.adjust(undefined)).toBe(1);
    expect(clock.adjust('7')).toBe(2);
    expect(clock.adjust(Number.NaN)).toBe(3);
  });
});
