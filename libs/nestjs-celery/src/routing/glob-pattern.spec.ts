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

describe('isGlob', () => {
  it("treats only keys with '*' as patterns, like Celery's MapRoute", () => {
    expect(isGlob('billing.*')).toBe(true);
    expect(isGlob('billing.sync.get_?nvoice')).toBe(false);
    expect(isGlob('a[bc]')).toBe(false);
  });
});
