import { describe, expect, it } from '@jest/globals';
import { TopicPattern, eventVersion } from './topic-pattern.js';

describe('TopicPattern', () => {
  const cases: Array<[string, string, boolean]> = [
    ['order.v1.submit', 'order.v1.submit', true],
    ['order.v1.submit', 'order.v2.submit', false],
    ['order.*.submit', 'order.v1.submit', true],
    ['order.*.submit', 'order.v2.submit', true],
    ['order.*.submit', 'order.v1.chargeback', false],
    ['order.*.submit', 'order.submit', false],
    ['order.*.submit', 'order.v1.x.submit', false],
    ['order.#', 'order', true],
    ['order.#', 'order.v1.submit', true],
    ['order.#', 'billing.v1.invoiced', false],
    ['#', 'anything.at.all', true],
    ['#.submit', 'order.v1.submit', true],
    ['#.submit', 'submit', true],
    ['order.#.submit', 'order.submit', true],
    ['order.#.submit', 'order.a.b.submit', true],
    ['order.#.submit', 'order.a.b.submitted', false],
    ['*.v1.*', 'order.v1.submit', true],
    ['*', 'order', true],
    ['*', 'order.v1', false],
    ['order.#.#', 'order.v1', true],
  ];

  it.each(cases)('%s matches %s: %s (as RabbitMQ routes)', (pattern, key, expected) => {
    expect(new TopicPattern(pattern).matches(key)).toBe(expected);
  });

  it('refuses an empty pattern', () => {
    expect(() => new TopicPattern('')).toThrow(TypeError);
  });
});

describe('eventVersion', () => {
  it('reads the first v<N> word of a routing key', () => {
    expect(eventVersion('order.v1.submit')).toBe(1);
    expect(eventVersion('order.v12.submit')).toBe(12);
    expect(eventVersion('order.submit')).toBeNull();
    expect(eventVersion('order.vx.submit')).toBeNull();
  });
});
