import { describe, expect, it } from '@jest/globals';
import type { Delivery } from '../broker/delivery.js';
import { overDeliveryLimit } from './delivery-limit.js';

const delivery = (headers?: Record<string, unknown>) => ({ message: { properties: { headers } } }) as unknown as Delivery;

describe('overDeliveryLimit (quorum queues count redeliveries in x-delivery-count)', () => {
  it('lets a message through until it was delivered `limit` times', () => {
    expect(overDeliveryLimit(delivery(), 20)).toBeUndefined();
    expect(overDeliveryLimit(delivery({ 'x-delivery-count': 19 }), 20)).toBeUndefined();
  });

  it('refuses delivery number limit + 1, saying why', () => {
    expect(overDeliveryLimit(delivery({ 'x-delivery-count': 20 }), 20)).toMatch(/delivered 21 times .* delivery limit of 20/);
    expect(overDeliveryLimit(delivery({ 'x-delivery-count': 3n }), 2)).toMatch(/delivered 4 times/);
  });

  it('false turns the limit off', () => {
    expect(overDeliveryLimit(delivery({ 'x-delivery-count': 1000 }), false)).toBeUndefined();
  });
});
