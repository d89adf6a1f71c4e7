import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { NESTJS_CELERY_VERSION, SOFTWARE_INFO } from './software-info.js';

describe('software info of worker events', () => {
  it("sw_ver is the package's version", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(NESTJS_CELERY_VERSION).toBe(pkg.version);
    expect(SOFTWARE_INFO).toMatchObject({ sw_ident: 'nestjs-celery', sw_ver: pkg.version });
  });
});
