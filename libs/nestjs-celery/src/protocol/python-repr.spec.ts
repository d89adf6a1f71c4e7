import { describe, expect, it } from '@jest/globals';
import { loadVector, taskVectorNames } from '../../test/vectors/load-vectors.js';
import { pythonRepr, pythonStringRepr } from './python-repr.js';

/*
 * Expected strings come from Celery 5.2.6 itself:
 *   from celery.utils.saferepr import saferepr; saferepr(value, 1024)
 * which is what the client writes into argsrepr/kwargsrepr.
 */

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('pythonRepr against the captured argsrepr/kwargsrepr', () => {
  // Vectors whose args are plain JSON (the special-types vector has datetime/Decimal/UUID reprs,
  // which only exist in Python).
  const jsonVectors = taskVectorNames.filter((n) => n.startsWith('task-v2-') && n !== 'task-v2-json-special-types');

  describe.each(jsonVectors)('%s', (name) => {
    const vector = loadVector(name);
    const [args, kwargs] = vector.body as [unknown[], Record<string, unknown>];

    it('kwargsrepr', () => {
      expect(pythonRepr(kwargs)).toBe(vector.headers.kwargsrepr);
    });

    it('argsrepr', () => {
      // apply_async(args=[...]) keeps a list; delay(*args) / signatures make a tuple.
      const asTuple = (vector.headers.argsrepr as string).startsWith('(');
      expect(pythonRepr(args, asTuple)).toBe(vector.headers.argsrepr);
    });
  });

  it('add.delay(2, 2) -> "(2, 2)"', () => {
    expect(pythonRepr([2, 2], true)).toBe('(2, 2)');
    expect(loadVector('task-v2-add-delay').headers.argsrepr).toBe('(2, 2)');
  });

  it('unicode args and kwargs are written as they are (task-v2-unicode-kwargs)', () => {
    const vector = loadVector('task-v2-unicode-kwargs');
    expect(pythonRepr(['h\u00e9llo', '\u65e5\u672c\u8a9e', '\u{1F389}'])).toBe("['h\u00e9llo', '\u65e5\u672c\u8a9e', '\u{1F389}']");
    expect(pythonRepr({ a: 1, b: [1.5, null, true], '\u00fcn\u00ef': { x: 'y' } })).toBe(vector.headers.kwargsrepr);
  });
});

describe('pythonRepr (Celery saferepr semantics)', () => {
  it.each<[string, unknown, boolean, string]>([
    ['single-element tuple', [1], true, '(1,)'],
    ['empty tuple', [], true, '()'],
    ['list', [1, 2], false, '[1, 2]'],
    ['empty dict', {}, false, '{}'],
    ['dict', { a: 2 }, false, "{'a': 2}"],
    ['empty containers', [[], {}, []], true, '([], {}, [])'],
    ['None/True/False', [null, true, false], true, '(None, True, False)'],
    ['floats like Python', [0.1, 1e-5, 1.5e-7, 123456.789, 1e16, 1e21, 4.8e22, -2.5, 1e20], true,
      '(0.1, 1e-05, 1.5e-07, 123456.789, 10000000000000000, 1e+21, 4.8e+22, -2.5, 100000000000000000000)'],
    ['nested', [[[[1]]], { k: { j: { i: 1 } } }], true, "([[[...]]], {'k': {'j': {...}}})"],
    ['deep list', [[[[[1]]]]], false, '[[[[...]]]]'],
    ['deep tuple', [[[[1]]]], true, '([[[...]]],)'],
    ['nested dict in list', [{ a: [1, { b: 2 }] }], false, "[{'a': [1, {...}]}]"],
  ])('%s', (_label, value, asTuple, expected) => {
    expect(pythonRepr(value, asTuple)).toBe(expected);
  });

  it("quotes with ' and escapes only ' (saferepr, not the builtin repr)", () => {
    expect(pythonRepr({ a: "it's", b: 'say "hi"', c: 'both \' "' })).toBe(
      "{'a': 'it\\'s', 'b': 'say \"hi\"', 'c': 'both \\' \"'}",
    );
  });

  it('writes newlines, tabs, backslashes and control characters raw', () => {
    expect(pythonRepr(['a\nb\t\\', "it's", 'say "hi"', '\u0000'], true)).toBe("('a\nb\t\\', 'it\\'s', 'say \"hi\"', '\u0000')");
  });

  it('escapes quotes in dict keys too', () => {
    expect(pythonRepr({ "o'k": 1 })).toBe("{'o\\'k': 1}");
  });

  it('prints what JSON puts on the wire: dropped keys, null array slots, dates as strings', () => {
    expect(pythonRepr({ a: undefined, f: () => 1, b: 1 })).toBe("{'b': 1}");
    expect(pythonRepr([undefined, () => 1], true)).toBe('(None, None)');
    expect(pythonRepr([new Date('2024-01-02T03:04:05.123Z')], true)).toBe("('2024-01-02T03:04:05.123Z',)");
  });

  it('prints bigints and non-finite numbers', () => {
    expect(pythonRepr([2n ** 70n, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0], true)).toBe(
      '(1180591620717411303424, nan, inf, -inf, 0)',
    );
  });

  it('asTuple only applies to arrays', () => {
    expect(pythonRepr({ a: 1 }, true)).toBe("{'a': 1}");
    expect(pythonRepr('x', true)).toBe("'x'");
  });

  it('keeps dict key order', () => {
    expect(pythonRepr({ z: 1, a: 2, m: 3 })).toBe("{'z': 1, 'a': 2, 'm': 3}");
  });

  it('does not loop on a cyclic structure', () => {
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    expect(pythonRepr(cyclic)).toBe('[1, <Recursion on list>]');
    const flat: Record<string, unknown> = {};
    flat.self = flat;
    expect(() => pythonRepr(flat)).not.toThrow();
  });

  describe('truncation at 1024 characters', () => {
    it('leaves a repr of exactly 1024 characters alone', () => {
      const s = 'x'.repeat(1020); // ['...'] adds 4
      const text = pythonRepr([s]);
      expect(text).toBe(`['${s}']`);
      expect(text.length).toBe(1024);
    });

    it('cuts a long string and adds ", ..." (the closing bracket consumed there is lost, as in Celery)', () => {
      const text = pythonRepr(['x'.repeat(2000)], true);
      expect(text).toBe(`('${'x'.repeat(1023)}...', ...`);
      expect(text.length).toBe(1034);
    });

    it('cuts at a word boundary', () => {
      const text = pythonRepr(['lorem ipsum dolor sit amet '.repeat(60)], true);
      expect(text.length).toBe(1031);
      expect(text.startsWith("('lorem ipsum dolor sit amet lorem")).toBe(true);
      expect(text.endsWith(" dolor sit...', ...")).toBe(true);
      expect(text.match(/lorem/g)?.length).toBe(38);
    });

    it('cuts a long tuple of numbers, keeping the closing parenthesis', () => {
      expect(pythonRepr(range(1000), true)).toBe(`(${range(227).join(', ')}..., ...)`);
    });

    it('cuts a long dict, keeping the closing brace', () => {
      const dict = Object.fromEntries(range(300).map((i) => [`k${i}`, i]));
      const head = range(94).map((i) => `'k${i}': ${i}`).join(', ');
      expect(pythonRepr(dict)).toBe(`{${head}, 'k94': 94..., ...}`);
    });

    it('cuts a list of long strings', () => {
      const y = 'y'.repeat(100);
      const text = pythonRepr(Array(20).fill(y));
      expect(text).toBe(`[${Array(9).fill(`'${y}'`).join(', ')}, '${'y'.repeat(87)}...', ...]`);
      expect(text.length).toBe(1035);
    });

    it('keeps every pending closing bracket when cutting inside nested containers', () => {
      const text = pythonRepr({ a: ['x'.repeat(2000), 1], b: 2 });
      expect(text).toBe(`{'a': ['${'x'.repeat(1017)}...', ...]}`);
      expect(text.length).toBe(1036);
    });

    it('cuts a long dict key', () => {
      const text = pythonRepr({ ['k'.repeat(1500)]: 1 });
      expect(text).toBe(`{'${'k'.repeat(1023)}...', ...}`);
    });

    it('counts code points, not UTF-16 units, like Python', () => {
      const text = pythonRepr(['\u{1F389}'.repeat(1100)], true);
      expect([...text].length).toBe(1034);
      expect(text).toBe(`('${'\u{1F389}'.repeat(1023)}...', ...`);
    });

    it('never cuts a short value', () => {
      const args = range(100).map((i) => `arg${i}`);
      const text = pythonRepr(args, true);
      expect(text.length).toBeLessThan(1024);
      expect(text.endsWith("'arg99')")).toBe(true);
    });
  });
});

describe('pythonStringRepr (Python builtin repr of a str)', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", `"it's"`],
    ['say "hi"', `'say "hi"'`],
    [`both ' "`, `'both \\' "'`],
    ['a\nb\tc\rd', "'a\\nb\\tc\\rd'"],
    ['back\\slash', "'back\\\\slash'"],
    ['\u0000\u001f\u007f', "'\\x00\\x1f\\x7f'"],
    ['h\u00e9llo \u{1F389}', "'h\u00e9llo \u{1F389}'"],
    ['', "''"],
  ])('%j -> %s', (input, expected) => {
    expect(pythonStringRepr(input)).toBe(expected);
  });
});
