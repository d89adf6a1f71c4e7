import { describe, expect, it } from '@jest/globals';
import { globToRegExp, isAddressedTo } from './node-destination.js';

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
});
