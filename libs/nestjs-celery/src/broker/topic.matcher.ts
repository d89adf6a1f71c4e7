/** Splits a routing key into words as RabbitMQ does: `''` has no words, `'a.'` has `a` and an empty word. */
/** The memo of a pattern without `#`: never written to (only the `#` branch adds states). */
const NO_MEMO: Set<number> = new Set();

function words(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

/**
 * A topic binding key (`order.*.submit`, `billing.#`) compiled once: `*` matches exactly one
 * word, `#` zero or more words, words are separated by `.` (RabbitMQ's topic exchange rules).
 */
export class TopicMatcher {
  private readonly pattern: string[];
  private readonly literal: boolean;
  /** Only `#` can backtrack; without one no memo is needed (no Set allocated per message). */
  private readonly hasHash: boolean;

  constructor(readonly bindingKey: string) {
    this.pattern = words(bindingKey);
    this.literal = !this.pattern.some((word) => word === '*' || word === '#');
    this.hasHash = this.pattern.includes('#');
  }

  /** True when `routingKey` matches this binding key. */
  matches(routingKey: string): boolean {
    if (this.literal) return routingKey === this.bindingKey;
    return this.matchFrom(0, words(routingKey), 0, this.hasHash ? new Set() : NO_MEMO);
  }

  /**
   * Matches `pattern[p..]` against `key[k..]`. `failed` remembers the (p, k) states already
   * known not to match, so a binding with many `#` costs O(pattern × key), not exponential time.
   */
  private matchFrom(p: number, key: string[], k: number, failed: Set<number>): boolean {
    const { pattern } = this;
    while (p < pattern.length) {
      const word = pattern[p]!;
      if (word === '#') {
        // Collapse consecutive '#', then try every split point.
        while (p + 1 < pattern.length && pattern[p + 1] === '#') p++;
        if (p + 1 === pattern.length) return true;
        for (let skip = k; skip <= key.length; skip++) {
          const state = (p + 1) * (key.length + 1) + skip;
          if (failed.has(state)) continue;
          if (this.matchFrom(p + 1, key, skip, failed)) return true;
          failed.add(state);
        }
        return false;
      }
      if (k >= key.length || (word !== '*' && word !== key[k])) return false;
      p++;
      k++;
    }
    return k === key.length;
  }
}
