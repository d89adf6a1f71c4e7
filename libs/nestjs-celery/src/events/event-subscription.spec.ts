import { describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import { IsString } from 'class-validator';
import { CeleryEvent } from '../decorators/celery-event.decorator.js';
import { eventDescriptorOf } from './celery-event.metadata.js';
import { EventNotDecoratedError } from './event.errors.js';
import { createEventSubscription } from './event-subscription.js';

@CeleryEvent({ exchange: 'order', routingKey: 'order.v1.submit' })
class Submitted {
  @IsString() orderId!: string;
}

@CeleryEvent({ exchange: 'order', routingKey: 'order.v2.submit' })
class SubmittedV2 {
  @IsString() orderId!: string;
}

@CeleryEvent({ exchange: 'billing', routingKey: 'billing.v1.invoiced' })
class Invoiced {}

class Plain {}

describe('@CeleryEvent', () => {
  it('records exchange, routing key and version', () => {
    expect(eventDescriptorOf(Submitted)).toEqual({ exchange: 'order', routingKey: 'order.v1.submit', version: 1 });
  });

  it('refuses wildcards, empty keys and bad exchanges when decorating', () => {
    expect(() => CeleryEvent({ exchange: 'order', routingKey: 'order.*.submit' })).toThrow(/without wildcards/);
    expect(() => CeleryEvent({ exchange: 'order', routingKey: 'order..submit' })).toThrow(/routingKey/);
    expect(() => CeleryEvent({ exchange: '', routingKey: 'order.v1.submit' })).toThrow(/'exchange'/);
  });

  it('names undecorated classes in a typed error', () => {
    expect(() => eventDescriptorOf(Plain)).toThrow(EventNotDecoratedError);
    expect(() => eventDescriptorOf(Plain)).toThrow(/Plain is not an event contract: decorate it with @CeleryEvent/);
    expect(() => eventDescriptorOf(undefined)).toThrow(EventNotDecoratedError);
  });
});

describe('createEventSubscription', () => {
  it('subscribes a contract by its routing key and exchange', () => {
    expect(createEventSubscription(Submitted, {}, 'H.m')).toEqual({
      handler: 'H.m',
      exchange: 'order',
      patterns: ['order.v1.submit'],
      events: [{ routingKey: 'order.v1.submit', type: Submitted }],
      versions: null,
      broadcast: false,
    });
  });

  it('subscribes several versions of one event', () => {
    const subscription = createEventSubscription([Submitted, SubmittedV2], { broadcast: true }, 'H.m');
    expect(subscription.patterns).toEqual(['order.v1.submit', 'order.v2.submit']);
    expect(subscription.broadcast).toBe(true);
  });

  it('subscribes a topic pattern on an exchange, with accepted versions', () => {
    const subscription = createEventSubscription('order.*.submit', { exchange: 'order', versions: [1, 2] }, 'H.m');
    expect(subscription).toMatchObject({ exchange: 'order', patterns: ['order.*.submit'], events: [], versions: [1, 2] });
  });

  it('says what to fix for bad subscriptions', () => {
    expect(() => createEventSubscription('order.*.submit', {}, 'H.m')).toThrow(/@OnEvent on H\.m.*'exchange'/);
    expect(() => createEventSubscription('order.**', { exchange: 'order' }, 'H.m')).toThrow(/not a topic pattern/);
    expect(() => createEventSubscription('', { exchange: 'order' }, 'H.m')).toThrow(/not a topic pattern/);
    expect(() => createEventSubscription([Submitted, Invoiced], {}, 'H.m')).toThrow(/one exchange/);
    expect(() => createEventSubscription(Submitted, { exchange: 'billing' }, 'H.m')).toThrow(/one exchange/);
    expect(() => createEventSubscription([], {}, 'H.m')).toThrow(/at least one/);
    expect(() => createEventSubscription(Plain, {}, 'H.m')).toThrow(EventNotDecoratedError);
    expect(() => createEventSubscription(Submitted, { versions: [1.5] }, 'H.m')).toThrow(/'versions'/);
    expect(() => createEventSubscription(Submitted, { versions: [1] }, 'H.m')).toThrow(/'versions' is for pattern subscriptions/);
  });
});
