import { describe, expect, it } from '@jest/globals';
import { KombuKeys } from './kombu-keys.js';

describe('KombuKeys', () => {
  it("names kombu's lists, binding sets and fanout channels", () => {
    const keys = new KombuKeys({ db: 3 });
    expect(keys.queueLists('celery')).toEqual(['celery', 'celery\x06\x163', 'celery\x06\x166', 'celery\x06\x169']);
    expect(keys.queue('celery', 5)).toBe('celery\x06\x163');
    expect(keys.queueOfList('celery\x06\x169')).toBe('celery');
    expect(keys.bindings('order')).toBe('_kombu.binding.order');
    expect(KombuKeys.bindingEntry('k', '', 'q')).toBe('k\x06\x16\x06\x16q');
    expect(keys.fanoutChannel('celeryev', 'task.succeeded')).toBe('/3.celeryev/task.succeeded');
    expect(keys.fanoutChannel('celery.pidbox', '')).toBe('/3.celery.pidbox');
    expect(keys.exchangeOfChannel('/3.celery.pidbox')).toBe('celery.pidbox');
    expect([keys.unacked, keys.unackedIndex, keys.unackedMutex]).toEqual(['unacked', 'unacked_index', 'unacked_mutex']);
  });

  it('puts global_keyprefix before every key and channel', () => {
    const keys = new KombuKeys({ db: 0, globalKeyPrefix: 'app:' });
    expect(keys.queue('celery', 9)).toBe('app:celery\x06\x169');
    expect(keys.queueOfList('app:celery')).toBe('celery');
    expect(keys.bindings('celery')).toBe('app:_kombu.binding.celery');
    expect(keys.fanoutChannel('celeryev', 'x')).toBe('app:/0.celeryev/x');
    expect(keys.unacked).toBe('app:unacked');
  });
});
