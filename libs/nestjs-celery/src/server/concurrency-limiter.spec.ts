import { describe, expect, it } from '@jest/globals';
import { ConcurrencyLimiter } from './concurrency-limiter.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ConcurrencyLimiter', () => {
  it('runs work at once while slots are free', async () => {
    const limiter = new ConcurrencyLimiter(2);
    let ran = 0;
    await Promise.all([limiter.run(async () => void ran++), limiter.run(async () => void ran++)]);
    expect(ran).toBe(2);
    expect(limiter.active).toBe(0);
  });

  it('never exceeds its limit under a burst and starts work in arrival order', async () => {
    const limit = 3;
    const limiter = new ConcurrencyLimiter(limit);
    const gates = Array.from({ length: 20 }, () => deferred());
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const done = gates.map((gate, i) =>
      limiter.run(async () => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        expect(limiter.active).toBeLessThanOrEqual(limit);
        await gate.promise;
        running--;
      }),
    );
    await flush();
    expect(started).toEqual([0, 1, 2]);
    expect(limiter.active).toBe(limit);
    // finish out of order: the next waiter still starts first
    const order = [2, 0, 1, 5, 3, 4, 9, 8, 7, 6, 10, 12, 11, 19, 18, 17, 16, 15, 14, 13];
    for (const i of order) {
      gates[i]!.resolve();
      await flush();
      expect(running).toBeLessThanOrEqual(limit);
    }
    await Promise.all(done);
    expect(peak).toBe(limit);
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(limiter.active).toBe(0);
  });

  it('does not let a newcomer overtake a waiter when a slot is handed over', async () => {
    const limiter = new ConcurrencyLimiter(1);
    const first = deferred();
    const started: string[] = [];
    const a = limiter.run(async () => {
      started.push('a');
      await first.promise;
    });
    const b = limiter.run(async () => void started.push('b'));
    first.resolve();
    const c = limiter.run(async () => void started.push('c')); // arrives while the slot is being handed to b
    await Promise.all([a, b, c]);
    expect(started).toEqual(['a', 'b', 'c']);
    expect(limiter.active).toBe(0);
  });

  it('frees the slot when work rejects or throws synchronously, and passes the error on', async () => {
    const limiter = new ConcurrencyLimiter(1);
    const failing = limiter.run(async () => {
      throw new Error('boom');
    });
    const throwing = limiter.run((() => {
      throw new Error('sync');
    }) as () => Promise<void>);
    let ran = false;
    const after = limiter.run(async () => {
      ran = true;
    });
    await expect(failing).rejects.toThrow('boom');
    await expect(throwing).rejects.toThrow('sync');
    await after;
    expect(ran).toBe(true);
    expect(limiter.active).toBe(0);
    // still usable at full capacity
    await limiter.run(async () => undefined);
    expect(limiter.active).toBe(0);
  });

  it('counts active work', async () => {
    const limiter = new ConcurrencyLimiter(2);
    const gate = deferred();
    const runs = [limiter.run(() => gate.promise), limiter.run(() => gate.promise), limiter.run(() => gate.promise)];
    expect(limiter.active).toBe(2);
    gate.resolve();
    await Promise.all(runs);
    expect(limiter.active).toBe(0);
  });

  it('acquire() takes a free slot without a promise, else waits for a release handing its slot over', async () => {
    const limiter = new ConcurrencyLimiter(1);
    expect(limiter.acquire()).toBeUndefined();
    const waiting = limiter.acquire();
    expect(waiting).toBeInstanceOf(Promise);
    let handedOver = false;
    void waiting!.then(() => (handedOver = true));
    await flush();
    expect(handedOver).toBe(false);
    limiter.release();
    await flush();
    expect(handedOver).toBe(true);
    expect(limiter.active).toBe(1);
    limiter.release();
    expect(limiter.active).toBe(0);
  });
});
