import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ReplyCollector } from './reply-collector.js';

describe('ReplyCollector (kombu Mailbox._collect)', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('ends after the timeout without replies', async () => {
    const collector = new ReplyCollector(1000, null);
    jest.advanceTimersByTime(1000);
    await expect(collector.done).resolves.toEqual([]);
  });

  it('restarts the wait on every reply, like drain_events(timeout) per reply', async () => {
    const seen: unknown[] = [];
    const collector = new ReplyCollector(1000, null, (reply) => seen.push(reply));
    jest.advanceTimersByTime(900);
    collector.add({ a: 1 });
    jest.advanceTimersByTime(900);
    collector.add({ b: 2 });
    jest.advanceTimersByTime(999);
    expect(collector.add({ c: 3 })).toBe(true);
    jest.advanceTimersByTime(1000);
    await expect(collector.done).resolves.toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
    expect(seen).toHaveLength(3);
    expect(collector.add({ late: 1 })).toBe(false);
  });

  it('ends as soon as the limit is reached', async () => {
    const collector = new ReplyCollector(60_000, 2);
    collector.add({ a: 1 });
    collector.add({ b: 2 });
    await expect(collector.done).resolves.toEqual([{ a: 1 }, { b: 2 }]);
  });
});
