import { parseCeleryJson } from './celery-json.js';

describe('parseCeleryJson', () => {
  it('parses plain JSON', () => {
    expect(parseCeleryJson('{"a": [1, "x"]}')).toEqual({ a: [1, 'x'] });
  });

  it('reads the bare NaN / Infinity tokens Python writes', () => {
    const value = parseCeleryJson('{"task_id": "t", "result": [Infinity, -Infinity, NaN, 1]}') as { result: number[] };
    expect(value.result[0]).toBe(Infinity);
    expect(value.result[1]).toBe(-Infinity);
    expect(Number.isNaN(value.result[2])).toBe(true);
    expect(value.result[3]).toBe(1);
  });

  it('leaves the tokens inside strings alone', () => {
    expect(parseCeleryJson('["NaN", "say \\"Infinity\\"", Infinity]')).toEqual(['NaN', 'say "Infinity"', Infinity]);
  });

  it('still rejects text that is not JSON', () => {
    expect(() => parseCeleryJson('{nope')).toThrow();
    expect(() => parseCeleryJson('[NaNa]')).toThrow();
  });
});
