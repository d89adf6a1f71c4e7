import { describe, expect, it } from '@jest/globals';
import { globToRegExp, isGlob } from './glob-pattern.js';

/** Captured from Python 3.11: `[n for n in names if re.match(fnmatch.translate(pattern), n)]`. */
const PYTHON_FNMATCH: { names: string[]; cases: Array<[string, string[]]> } = {
  names: ["billing.sync.get_invoice", "billing", "billing.", "billingx", "a.sync.b", "sync.b", "billing.sync.get_invoice2", "abd", "acd", "aed", "add", "xby", "xdy", "x]y", "xay", "[abc", "a\\bzz", "a.b", "axb", "", "foo.x", "a-b", "ab", "acb", "aeb", "adb", "m(1)+yy", "m1", "a|bc", "ab c", "a&b", "a~b", "a|b", "a\nb.x", "x[]y", "x[!]y", "xy"],
  cases: [
    ["billing.*", ["billing.sync.get_invoice", "billing.", "billing.sync.get_invoice2"]],
    ["*.sync.*", ["billing.sync.get_invoice", "a.sync.b", "billing.sync.get_invoice2"]],
    ["billing.sync.get_?nvoice", ["billing.sync.get_invoice"]],
    ["a[bc]d", ["abd", "acd"]],
    ["a[!bc]d", ["aed", "add"]],
    ["x[a-c]y", ["xby", "xay"]],
    ["x[]]y", ["x]y"]],
    ["x[!]]y", ["xby", "xdy", "xay"]],
    ["[abc", ["[abc"]],
    ["a\\b*", ["a\\bzz"]],
    ["a.b", ["a.b"]],
    ["*", ["billing.sync.get_invoice", "billing", "billing.", "billingx", "a.sync.b", "sync.b", "billing.sync.get_invoice2", "abd", "acd", "aed", "add", "xby", "xdy", "x]y", "xay", "[abc", "a\\bzz", "a.b", "axb", "", "foo.x", "a-b", "ab", "acb", "aeb", "adb", "m(1)+yy", "m1", "a|bc", "ab c", "a&b", "a~b", "a|b", "a\nb.x", "x[]y", "x[!]y", "xy"]],
    ["**.x", ["foo.x", "a\nb.x"]],
    ["a[z-a]b", []],
    ["a[a-c-e]b", ["a-b", "acb", "aeb"]],
    ["m(1)+*", ["m(1)+yy"]],
    ["a|b*", ["a|bc", "a|b"]],
    ["a[&~|]b", ["a&b", "a~b", "a|b"]],
    ["x[]y", ["x[]y"]],
    ["x[!]y", ["x[!]y"]],
  ],
};

describe('globToRegExp (Python fnmatch.translate, as Celery task_routes uses it)', () => {
  it.each(PYTHON_FNMATCH.cases)('%j matches exactly the names Python matches', (pattern, expected) => {
    const regex = globToRegExp(pattern);
    expect(PYTHON_FNMATCH.names.filter((name) => regex.test(name))).toEqual(expected);
  });

  it("lets '*' match across dots: billing.* routes billing.sync.get_invoice", () => {
    expect(globToRegExp('billing.*').test('billing.sync.get_invoice')).toBe(true);
    expect(globToRegExp('billing.*').test('billingsync')).toBe(false);
  });

  it('is case-sensitive and matches whole names only', () => {
    expect(globToRegExp('billing.*').test('Billing.x')).toBe(false);
    expect(globToRegExp('*.sync').test('a.sync.b')).toBe(false);
  });
});

describe('globToRegExp with hostile patterns (task names and routes can come from remote input)', () => {
  const name = 'a'.repeat(200);
  it.each([
    ['64 stars in a run', '*'.repeat(64) + 'b'],
    ['stars between letters', '*a'.repeat(50) + '*b'],
    ['stars between sets', '*[a-c]'.repeat(50) + '*b'],
    ['stars between ?', '*?'.repeat(50) + 'b'],
  ])('%s: no match, found in milliseconds', (_label, pattern) => {
    const started = performance.now();
    expect(globToRegExp(pattern).test(name)).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('keeps fnmatch semantics across many stars (the atomic lookahead takes the shortest run)', () => {
    expect(globToRegExp('*a*b*a').test('xxaxxbxxa')).toBe(true);
    expect(globToRegExp('*a*b*a').test('xxaxxbxx')).toBe(false);
    expect(globToRegExp('*.sync.*.x').test('a.sync.b.sync.c.x')).toBe(true);
    expect(globToRegExp('a*b*c').test('abcbc')).toBe(true);
    expect(globToRegExp('a*bc*c').test('abcbcc')).toBe(true);
  });
});

describe('isGlob', () => {
  it("treats only keys with '*' as patterns, like Celery's MapRoute", () => {
    expect(isGlob('billing.*')).toBe(true);
    expect(isGlob('billing.sync.get_?nvoice')).toBe(false);
    expect(isGlob('a[bc]')).toBe(false);
  });
});
