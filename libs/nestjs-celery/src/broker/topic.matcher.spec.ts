import { describe, expect, it } from '@jest/globals';
import { TopicMatcher } from './topic.matcher.js';

describe('TopicMatcher (RabbitMQ topic rules)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['order.v1.submit', 'order.v1.submit', true],
    ['order.v1.submit', 'order.v1.chargeback', false],
    ['order.*.submit', 'order.v1.submit', true],
    ['order.*.submit', 'order.v1.x.submit', false],
    ['order.*.submit', 'order.submit', false],
    ['order.#', 'order', true],
    ['order.#', 'order.v1', true],
    ['order.#', 'order.v1.submit', true],
    ['order.#', 'orders.v1', false],
    ['#', '', true],
    ['#', 'anything.at.all', true],
    ['*', '', false],
    ['*', 'one', true],
    ['*', 'one.two', false],
    ['#.submit', 'submit', true],
    ['#.submit', 'order.v1.submit', true],
    ['#.submit', 'order.v1.submitted', false],
    ['a.#.z', 'a.z', true],
    ['a.#.z', 'a.b.c.z', true],
    ['a.#.z', 'a.b.c', false],
    ['a.#.#.z', 'a.z', true],
    ['*.*', 'a.', true],
    ['a.*', 'a.', true],
    ['#.*', '', false],
    ['#.*', 'x', true],
    ['', '', true],
    ['', 'a', false],
    ['order.*.*', 'order.v1.submit', true],
    // event subscription patterns (@OnEvent)
    ['order.v1.submit', 'order.v2.submit', false],
    ['order.*.submit', 'order.v2.submit', true],
    ['order.*.submit', 'order.v1.chargeback', false],
    ['order.#', 'billing.v1.invoiced', false],
    ['order.#.submit', 'order.submit', true],
    ['order.#.submit', 'order.a.b.submit', true],
    ['order.#.submit', 'order.a.b.submitted', false],
    ['*.v1.*', 'order.v1.submit', true],
    ['*', 'order', true],
    ['*', 'order.v1', false],
    ['order.#.#', 'order.v1', true],
  ];

  it.each(cases)('binding %j with routing key %j matches: %s', (binding, key, expected) => {
    expect(new TopicMatcher(binding).matches(key)).toBe(expected);
  });

  it('decides a binding with many # in milliseconds (no exponential backtracking)', () => {
    const matcher = new TopicMatcher(Array.from({ length: 30 }, () => '#.a').join('.') + '.#.b');
    const key = Array.from({ length: 60 }, () => 'a').join('.');
    const started = performance.now();
    expect(matcher.matches(key)).toBe(false);
    expect(matcher.matches(key + '.b')).toBe(true);
    expect(performance.now() - started).toBeLessThan(100);
  });
});
