import { describe, expect, it } from '@jest/globals';
import { MapRoute } from './map-route.js';

describe('MapRoute (Celery MapRoute)', () => {
  it('looks exact names up before any pattern, whatever the order', () => {
    const map = new MapRoute({ 'billing.*': { queue: 'glob' }, 'billing.sync.get_invoice': { queue: 'exact' } });
    expect(map.route('billing.sync.get_invoice')).toEqual({ queue: 'exact' });
    expect(map.route('billing.sync.other')).toEqual({ queue: 'glob' });
  });

  it('tries patterns in order; a string value is a queue name', () => {
    const map = new MapRoute([
      ['billing.sync.*', 'sync-q'],
      ['billing.*', 'any-q'],
    ]);
    expect(map.route('billing.sync.x')).toEqual({ queue: 'sync-q' });
    expect(map.route('billing.async.x')).toEqual({ queue: 'any-q' });
    expect(map.route('logistic.x')).toBeUndefined();
  });

  it('matches a RegExp at the start of the name only (Python re.match), not anywhere', () => {
    const map = new MapRoute(new Map<string | RegExp, string>([[/sync\./, 'q']]));
    expect(map.route('sync.x')).toEqual({ queue: 'q' });
    expect(map.route('billing.sync.x')).toBeUndefined();
    const anchored = new MapRoute([[/^billing\.(sync|async)\.get_/i, 'q']]);
    expect(anchored.route('BILLING.sync.get_invoice')).toEqual({ queue: 'q' });
  });

  it('is not confused by a global RegExp (lastIndex) on repeated calls', () => {
    const map = new MapRoute([[/a/g, 'q']]);
    expect([map.route('a'), map.route('a'), map.route('a')]).toEqual([{ queue: 'q' }, { queue: 'q' }, { queue: 'q' }]);
  });

  it('keeps the last route given for the same exact name, like a Python dict', () => {
    expect(new MapRoute([['t', 'first'], ['t', 'second']]).route('t')).toEqual({ queue: 'second' });
  });
});
