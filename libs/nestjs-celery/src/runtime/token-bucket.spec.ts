import { describe, expect, it } from '@jest/globals';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket (kombu/utils/limits.py)', () => {
  it('starts full, refills at its rate up to its capacity and never takes a partial token', () => {
    let now = 100;
    const bucket = new TokenBucket<string>(2, 1, () => now);
    expect(bucket.canConsume()).toBe(true);
    expect(bucket.canConsume()).toBe(false);
    expect(bucket.expectedTime()).toBeCloseTo(0.5);
    now += 0.25;
    expect(bucket.canConsume()).toBe(false);
    expect(bucket.expectedTime()).toBeCloseTo(0.25);
    now += 0.25;
    expect(bucket.canConsume()).toBe(true);
    now += 10;
    expect(bucket.canConsume()).toBe(true);
    expect(bucket.canConsume()).toBe(false);
  });

  it('like kombu, a full bucket keeps its old timestamp: the token after an idle spell refills at once', () => {
    let now = 0;
    const bucket = new TokenBucket<string>(1, 1, () => now);
    now = 10;
    expect(bucket.canConsume()).toBe(true);
    expect(bucket.canConsume()).toBe(true);
    expect(bucket.canConsume()).toBe(false);
  });
});
