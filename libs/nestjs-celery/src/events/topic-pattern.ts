/**
 * An AMQP topic binding pattern (`order.*.submit`, `order.#`) compiled once, matched with the
 * broker's semantics: words are separated by `.`, `*` matches exactly one word and `#` zero or more.
 */
export class TopicPattern {
  private readonly words: readonly string[];
  private readonly literal: boolean;

  constructor(readonly pattern: string) {
    if (typeof pattern !== 'string' || pattern === '') {
      throw new TypeError(`topic pattern must be a non-empty string, got ${JSON.stringify(pattern)}`);
    }
    this.words = pattern.split('.');
    this.literal = !this.words.some((word) => word === '*' || word === '#');
  }

  /** True when `routingKey` would be routed by a binding with this pattern. */
  matches(routingKey: string): boolean {
    if (this.literal) return routingKey === this.pattern;
    return matchWords(this.words, 0, routingKey.split('.'), 0);
  }
}

function matchWords(pattern: readonly string[], p: number, key: readonly string[], k: number): boolean {
  while (p < pattern.length) {
    const word = pattern[p]!;
    if (word === '#') {
      if (p === pattern.length - 1) return true;
      for (let skip = k; skip <= key.length; skip++) {
        if (matchWords(pattern, p + 1, key, skip)) return true;
      }
      return false;
    }
    if (k >= key.length || (word !== '*' && word !== key[k])) return false;
    p++;
    k++;
  }
  return k === key.length;
}

const VERSION_WORD = /^v(\d+)$/;

/** The version a routing key carries in its first `v<N>` word (`order.v2.submit` → 2), or null. */
export function eventVersion(routingKey: string): number | null {
  const words = routingKey.split('.');
  for (const word of words) {
    const match = VERSION_WORD.exec(word);
    if (match) return Number(match[1]);
  }
  return null;
}
