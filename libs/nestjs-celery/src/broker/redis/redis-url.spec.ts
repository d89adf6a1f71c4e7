import { describe, expect, it } from '@jest/globals';
import { InvalidRedisUrlError, isRedisUrl, parseRedisUrl } from './redis-url.js';

describe('parseRedisUrl', () => {
  it('reads host, port and database as kombu does', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6380/3')).toEqual({ host: '127.0.0.1', port: 6380, db: 3, tls: false });
    expect(parseRedisUrl('redis://localhost')).toEqual({ host: 'localhost', port: 6379, db: 0, tls: false });
  });

  it('decodes credentials and sees rediss:// as TLS', () => {
    expect(parseRedisUrl('rediss://user:p%40ss@h:6390/1')).toEqual({ host: 'h', port: 6390, db: 1, tls: true, username: 'user', password: 'p@ss' });
    expect(parseRedisUrl('redis://:secret@h/0')).toMatchObject({ password: 'secret' });
  });

  it('rejects other schemes and bad databases without showing the password', () => {
    expect(isRedisUrl('amqp://h')).toBe(false);
    expect(() => parseRedisUrl('amqp://h')).toThrow(InvalidRedisUrlError);
    expect(() => parseRedisUrl('redis://:secret@h/abc')).toThrow(/database "abc"/);
    expect(() => parseRedisUrl('redis://:secret@h/abc')).not.toThrow(/secret/);
  });
});
