import { describe, expect, it } from '@jest/globals';
import { globToRegExp } from '../../routing/glob-pattern.js';
import { isAddressedTo, MAX_NODE_PATTERN_LENGTH } from './node-destination.js';

const none = { destination: null, pattern: null, matcher: null };

describe('isAddressedTo (kombu Node.handle_message)', () => {
  it('handles everything without destination or pattern', () => {
    expect(isAddressedTo(none, 'w1@host')).toBe(true);
  });

  it('handles only listed destinations, and the destination wins over a pattern', () => {
    expect(isAddressedTo({ ...none, destination: ['w1@host'] }, 'w1@host')).toBe(true);
    expect(isAddressedTo({ ...none, destination: ['w2@host'] }, 'w1@host')).toBe(false);
    expect(isAddressedTo({ destination: ['w2@host'], pattern: '*', matcher: 'glob' }, 'w1@host')).toBe(false);
  });

  it('matches glob patterns fully (fnmatch) and pcre from the start (re.match)', () => {
    expect(isAddressedTo({ ...none, pattern: 'nest*@*', matcher: 'glob' }, 'nest12@vm')).toBe(true);
    expect(isAddressedTo({ ...none, pattern: 'nest*', matcher: 'glob' }, 'py-1@vm')).toBe(false);
    expect(isAddressedTo({ ...none, pattern: 'w?@[a-c]*', matcher: 'glob' }, 'w1@box')).toBe(true);
    expect(isAddressedTo({ ...none, pattern: 'nest\\d+', matcher: 'pcre' }, 'nest12@vm')).toBe(true);
    expect(isAddressedTo({ ...none, pattern: 'vm', matcher: 'pcre' }, 'nest12@vm')).toBe(false);
  });

  it('needs both pattern and matcher; unknown matchers and bad regexes match nothing', () => {
    expect(isAddressedTo({ ...none, pattern: 'zzz' }, 'w1@host')).toBe(true);
    expect(isAddressedTo({ ...none, pattern: 'w1', matcher: 'nope' }, 'w1@host')).toBe(false);
    expect(isAddressedTo({ ...none, pattern: '(', matcher: 'pcre' }, 'w1@host')).toBe(false);
  });

  it('translates fnmatch syntax', () => {
    expect(globToRegExp('a.b*').test('a.bcd')).toBe(true);
    expect(globToRegExp('a.b*').test('axbcd')).toBe(false);
    expect(globToRegExp('[!x]y').test('zy')).toBe(true);
    expect(globToRegExp('[!x]y').test('xy')).toBe(false);
    expect(globToRegExp('[abc').test('[abc')).toBe(true);
  });
  describe('hostile patterns (a broadcast reaches every worker on the vhost)', () => {
    const timed = (fn: () => boolean): { result: boolean; ms: number } => {
      const started = performance.now();
      const result = fn();
      return { result, ms: performance.now() - started };
    };
    const host = 'a'.repeat(60) + '@' + 'b'.repeat(60);

    it.each([
      ['a run of 64 stars', '*'.repeat(64) + 'x'],
      ['40 stars between letters', '*a'.repeat(40) + 'x'],
      ['stars and sets', '*[ab]'.repeat(40) + '*x'],
      ['stars and ?', '*?'.repeat(60) + 'x'],
      ['the longest accepted pattern', ('*a').repeat(MAX_NODE_PATTERN_LENGTH / 2)],
    ])('glob %s is decided in milliseconds', (_name, pattern) => {
      const { result, ms } = timed(() => isAddressedTo({ destination: null, pattern, matcher: 'glob' }, host));
      expect(result).toBe(false);
      // backtracking would take seconds to ages; the margin is for a loaded machine
      expect(ms).toBeLessThan(500);
    });

    it('still matches like fnmatch with many stars', () => {
      expect(isAddressedTo({ destination: null, pattern: '*a'.repeat(30) + '*@*b', matcher: 'glob' }, host)).toBe(true);
      expect(isAddressedTo({ destination: null, pattern: '*'.repeat(50), matcher: 'glob' }, host)).toBe(true);
    });

    it('a pattern longer than any node name addresses nobody, uncompiled', () => {
      const pattern = '*'.repeat(MAX_NODE_PATTERN_LENGTH + 1);
      expect(isAddressedTo({ destination: null, pattern, matcher: 'glob' }, host)).toBe(false);
    });

    it('a catastrophically backtracking pcre pattern is cut off, and addresses nobody', () => {
      const { result, ms } = timed(() => isAddressedTo({ destination: null, pattern: '(a+)+$', matcher: 'pcre' }, 'a'.repeat(40) + '!'));
      expect(result).toBe(false);
      expect(ms).toBeLessThan(1000);
      // the matcher keeps working afterwards
      expect(isAddressedTo({ destination: null, pattern: 'nest\\d+', matcher: 'pcre' }, 'nest12@vm')).toBe(true);
    });
  });
});
