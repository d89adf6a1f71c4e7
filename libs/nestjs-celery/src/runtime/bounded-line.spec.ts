import { describe, expect, it } from '@jest/globals';
import { boundedLine, REJECTED_DETAIL_LIMIT } from './bounded-line.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('boundedLine', () => {
  it('leaves short one-line text as it is', () => {
    expect(boundedLine("header 'eta' is not a date", 1024)).toBe("header 'eta' is not a date");
    expect(boundedLine('', 10)).toBe('');
  });

  it('cuts a 49 KB value to the limit with an ellipsis and the original size', () => {
    const text = `eta 'x${'9'.repeat(49_000)}' is not a date`;
    const line = boundedLine(text, REJECTED_DETAIL_LIMIT);
    expect(bytes(line)).toBeLessThanOrEqual(REJECTED_DETAIL_LIMIT);
    expect(line.startsWith("eta 'x999")).toBe(true);
    expect(line.endsWith(`… [${bytes(text)} bytes in all]`)).toBe(true);
  });

  it('never cuts inside a character and counts bytes, not characters', () => {
    for (const char of ['é', '日', '😀']) {
      const text = char.repeat(5000);
      const line = boundedLine(text, 100);
      expect(bytes(line)).toBeLessThanOrEqual(100);
      expect(line).not.toContain('\uFFFD');
      expect(line.replace(/… \[\d+ bytes in all\]$/, '').split(char).every((part) => part === '')).toBe(true);
    }
    expect(boundedLine('日'.repeat(40), 100)).toContain('… [120 bytes in all]');
    expect(boundedLine('日'.repeat(30), 90)).toBe('日'.repeat(30));
  });

  it('makes any text one line: control characters escaped, also past the limit', () => {
    expect(boundedLine('a\nb\r\u0000c\u2028', 100)).toBe('a\\nb\\r\\u0000c\\u2028');
    const line = boundedLine('\n'.repeat(10_000), 64);
    expect(line).not.toMatch(/[\n\r]/);
    expect(bytes(line)).toBeLessThanOrEqual(64);
  });
});
