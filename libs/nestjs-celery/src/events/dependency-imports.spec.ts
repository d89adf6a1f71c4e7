import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : /\.ts$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

describe('class-transformer and class-validator', () => {
  it('are imported by their package entry only, never by a private file (metadata storage, executors)', () => {
    const deep = /from\s+['"](class-transformer|class-validator)\/[^'"]+['"]|import\(\s*['"](class-transformer|class-validator)\/|declare\s+module\s+['"](class-transformer|class-validator)\//;
    const offenders = sources(SRC).filter((file) => deep.test(readFileSync(file, 'utf8')));
    expect(offenders.map((file) => file.slice(SRC.length))).toEqual([]);
  });
});
