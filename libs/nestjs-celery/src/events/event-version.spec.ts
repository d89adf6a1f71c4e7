import { describe, expect, it } from '@jest/globals';
import { eventVersion } from './event-version.js';

describe('eventVersion', () => {
  it('reads the first v<N> word of a routing key', () => {
    expect(eventVersion('order.v1.submit')).toBe(1);
    expect(eventVersion('order.v12.submit')).toBe(12);
    expect(eventVersion('order.submit')).toBeNull();
    expect(eventVersion('order.vx.submit')).toBeNull();
  });
});
