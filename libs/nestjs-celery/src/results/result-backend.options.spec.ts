import { describe, expect, it } from '@jest/globals';
import { parseResultBackend, resultExpiresProblem } from './result-backend.options.js';
import { InvalidResultBackendError } from './results.errors.js';

describe('parseResultBackend', () => {
  it("takes rpc:// (default), disabled, redis:// and rediss://", () => {
    expect(parseResultBackend(undefined)).toEqual({ kind: 'rpc' });
    expect(parseResultBackend('rpc')).toEqual({ kind: 'rpc' });
    expect(parseResultBackend('rpc://')).toEqual({ kind: 'rpc' });
    expect(parseResultBackend('disabled')).toEqual({ kind: 'disabled' });
    expect(parseResultBackend('redis://h:6380/2')).toEqual({ kind: 'redis', url: 'redis://h:6380/2' });
    expect(parseResultBackend('rediss://:pw@h/0')).toEqual({ kind: 'redis', url: 'rediss://:pw@h/0' });
  });

  it('refuses anything else without showing a password', () => {
    expect(() => parseResultBackend('redis')).toThrow(InvalidResultBackendError);
    expect(() => parseResultBackend('db+sqlite://')).toThrow(/resultBackend must be/);
    expect(() => parseResultBackend('redis://:secret@h/x')).toThrow(InvalidResultBackendError);
    expect(() => parseResultBackend('redis://:secret@h/x')).not.toThrow(/secret/);
  });

  it('checks resultExpiresMs', () => {
    expect(resultExpiresProblem(undefined)).toBeUndefined();
    expect(resultExpiresProblem(1000)).toBeUndefined();
    expect(resultExpiresProblem(0)).toMatch(/positive/);
  });
});
