import { describe, expect, it } from '@jest/globals';
import { kombuTopicPattern, matchesKombuPattern } from './kombu-topic.js';

describe('kombuTopicPattern', () => {
  it("writes kombu's key_to_pattern text (captured from kombu 5.2.4)", () => {
    expect(kombuTopicPattern('order.*.submit')).toBe('^order\\..*?[^\\.]\\.submit$');
    expect(kombuTopicPattern('order.#')).toBe('^order\\..*?$');
    expect(kombuTopicPattern('#')).toBe('^.*?$');
    expect(kombuTopicPattern('a-b.c_d.*')).toBe('^a\\-b\\.c\\_d\\..*?[^\\.]$');
    expect(kombuTopicPattern('x.y:z')).toBe('^x\\.y\\:z$');
  });
});

describe('matchesKombuPattern', () => {
  it("matches as kombu does: * may span words, # after a dot needs the dot", () => {
    const star = kombuTopicPattern('order.*.submit');
    expect(matchesKombuPattern(star, 'order.v1.submit')).toBe(true);
    expect(matchesKombuPattern(star, 'order.a.b.submit')).toBe(true);
    expect(matchesKombuPattern(star, 'order.submit')).toBe(false);
    const hash = kombuTopicPattern('order.#');
    expect(matchesKombuPattern(hash, 'order.x')).toBe(true);
    expect(matchesKombuPattern(hash, 'order')).toBe(false);
    expect(matchesKombuPattern(kombuTopicPattern('#'), 'anything.at.all')).toBe(true);
  });

  it('an unreadable stored pattern matches nothing', () => {
    expect(matchesKombuPattern('^(unclosed$', 'x')).toBe(false);
  });
});
