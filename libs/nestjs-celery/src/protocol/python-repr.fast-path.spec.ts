import { pythonRepr, pythonReprExact } from './python-repr.js';

/** Small seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const STRINGS = ['', 'a', "it's", 'say "hi"', `both ' and "`, 'line\nbreak', 'back\\slash', 'héllo', '日本語', '🎉', 'tab\there', ' spaced words here '];
const NUMBERS = [0, -0, 1, -1, 42, 2 ** 31, 2 ** 40, 1.5, 18.5, 39.9, 0.1, 1e-5, 1e-7, 1.5e16, 1e21, 123456789.125, -3.25, Number.MAX_SAFE_INTEGER];

function randomValue(next: () => number, depth: number): unknown {
  const pick = next();
  if (depth > 5 || pick < 0.45) {
    const leaf = next();
    if (leaf < 0.35) return STRINGS[Math.floor(next() * STRINGS.length)];
    if (leaf < 0.7) return NUMBERS[Math.floor(next() * NUMBERS.length)];
    if (leaf < 0.8) return next() < 0.5;
    if (leaf < 0.9) return null;
    if (leaf < 0.95) return 'w'.repeat(Math.floor(next() * 1500)); // long: truncation territory
    return next() < 0.5 ? undefined : Number.NaN;
  }
  const size = Math.floor(next() * 5);
  if (pick < 0.72) return Array.from({ length: size }, () => randomValue(next, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) object[STRINGS[Math.floor(next() * STRINGS.length)]! + i] = randomValue(next, depth + 1);
  return object;
}

describe('pythonRepr fast path', () => {
  it('matches the full saferepr port on 20,000 random values (args tuples and kwargs dicts)', () => {
    const next = prng(20261122);
    let checked = 0;
    for (let i = 0; i < 10_000; i++) {
      const args = Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, 1));
      expect(pythonRepr(args, true)).toBe(pythonReprExact(args, true));
      const kwargs = randomValue(next, 0);
      expect(pythonRepr(kwargs)).toBe(pythonReprExact(kwargs));
      checked += 2;
    }
    expect(checked).toBe(20_000);
  });

  it('prints containers at the fourth level as [...] / {...}, like Celery', () => {
    expect(pythonRepr([{ lines: [{ sku: 'a' }] }], true)).toBe("({'lines': [{...}]},)");
    expect(pythonRepr({ k: [[[1]]] })).toBe("{'k': [[[...]]]}");
  });
});
