import { describe, expect, it } from '@jest/globals';
import { redisBrokerUrlOptions } from './redis-broker-url.js';

describe('redisBrokerUrlOptions', () => {
  it("reads kombu's transport options from the query", () => {
    expect(redisBrokerUrlOptions('redis://h:6379/2')).toEqual({ url: 'redis://h:6379/2' });
    expect(redisBrokerUrlOptions('redis://h/2?visibility_timeout=30&global_keyprefix=app%3A')).toEqual({
      url: 'redis://h/2',
      visibilityTimeoutMs: 30_000,
      globalKeyPrefix: 'app:',
    });
  });

  it('refuses a visibility timeout that is not a positive number, without showing the password', () => {
    expect(() => redisBrokerUrlOptions('redis://:secret@h/2?visibility_timeout=soon')).toThrow(/visibility_timeout "soon"/);
    expect(() => redisBrokerUrlOptions('redis://:secret@h/2?visibility_timeout=soon')).not.toThrow(/secret/);
  });
});
