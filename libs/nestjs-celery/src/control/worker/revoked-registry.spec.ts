import { describe, expect, it } from '@jest/globals';
import { monotonicSeconds, RevokedRegistry } from './revoked-registry.js';

describe('RevokedRegistry (Celery LimitedSet semantics)', () => {
  it('remembers revoked ids until they expire', () => {
    let now = 1000;
    const registry = new RevokedRegistry({ expiresSeconds: 60, now: () => now });
    expect(registry.has('a')).toBe(false);
    registry.add(['a', 'b']);
    expect(registry.has('a')).toBe(true);
    now += 59;
    expect(registry.has('b')).toBe(true);
    now += 2;
    expect(registry.has('b')).toBe(false);
    expect(registry.ids()).toEqual([]);
  });

  it('keeps at most maxSize ids, dropping the oldest', () => {
    let now = 0;
    const registry = new RevokedRegistry({ maxSize: 3, now: () => ++now });
    registry.add(['a']);
    registry.add(['b']);
    registry.add(['c']);
    registry.add(['d']);
    expect(registry.ids()).toEqual(['b', 'c', 'd']);
    registry.add(['b']); // revoked again: fresh time, moves to the end
    registry.add(['e']);
    expect(registry.ids()).toEqual(['d', 'b', 'e']);
  });

  it('merges hello data ({id: ts} or {id: [ts, id]}) and lists, skipping expired entries', () => {
    const now = 10_000;
    const registry = new RevokedRegistry({ expiresSeconds: 100, now: () => now });
    registry.merge({ old: 1.5, fresh: [9_990.5, 'fresh'], ahead: 20_000.5, bad: 'x' });
    registry.merge(['listed', 3]);
    registry.merge(null);
    expect(registry.ids().sort()).toEqual(['ahead', 'fresh', 'listed']);
    expect(registry.toHelloData().ahead![0]).toBeCloseTo(10_000, 3);
  });

  it('writes hello data with float timestamps Python accepts', () => {
    const registry = new RevokedRegistry({ now: () => 500 });
    registry.add(['x']);
    const data = registry.toHelloData();
    expect(data.x![1]).toBe('x');
    expect(Number.isInteger(data.x![0])).toBe(false);
    expect(JSON.stringify(data)).toBe('{"x":[500.000001,"x"]}');
  });

  it('reads the monotonic clock in seconds', () => {
    const first = monotonicSeconds();
    expect(first).toBeGreaterThan(0);
    expect(monotonicSeconds()).toBeGreaterThanOrEqual(first);
  });
});
