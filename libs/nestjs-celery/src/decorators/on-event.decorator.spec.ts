import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants.js';
import { PATTERN_EXTRAS_METADATA, PATTERN_HANDLER_METADATA, PATTERN_METADATA, TRANSPORT_METADATA } from '@nestjs/microservices/constants.js';
import { PatternHandler } from '@nestjs/microservices/enums/pattern-handler.enum.js';
import { CELERY_EVENT_SUBSCRIPTION } from '../events/event-subscription.js';
import { celeryErrorInterceptor } from '../server/celery-error.interceptor.js';
import { CELERY_TRANSPORT } from '../server/celery-transport.js';
import { CeleryEvent } from './celery-event.decorator.js';
import { EVENT_HANDLER_PATTERN_PREFIX, OnEvent } from './on-event.decorator.js';

@CeleryEvent({ exchange: 'order', routingKey: 'order.v1.submit' })
class Submitted {}

class Handlers {
  @OnEvent(Submitted)
  onSubmit(): void {}

  @OnEvent('order.#', { exchange: 'order', broadcast: true })
  onAny(): void {}
}

describe('@OnEvent', () => {
  it('registers an event pattern on CELERY_TRANSPORT named after the handler, with its subscription as extras', () => {
    const method = Handlers.prototype.onSubmit;
    expect(Reflect.getMetadata(PATTERN_METADATA, method)).toEqual([`${EVENT_HANDLER_PATTERN_PREFIX}Handlers.onSubmit`]);
    expect(Reflect.getMetadata(PATTERN_HANDLER_METADATA, method)).toBe(PatternHandler.EVENT);
    expect(Reflect.getMetadata(TRANSPORT_METADATA, method)).toBe(CELERY_TRANSPORT);
    expect(Reflect.getMetadata(PATTERN_EXTRAS_METADATA, method)[CELERY_EVENT_SUBSCRIPTION]).toMatchObject({
      handler: 'Handlers.onSubmit',
      exchange: 'order',
      patterns: ['order.v1.submit'],
    });
    // errors are kept by the CeleryErrorInterceptor applied at method level
    expect(Reflect.getMetadata(INTERCEPTORS_METADATA, method)).toEqual([celeryErrorInterceptor]);
  });

  it('records pattern subscriptions and the broadcast flag', () => {
    expect(Reflect.getMetadata(PATTERN_EXTRAS_METADATA, Handlers.prototype.onAny)[CELERY_EVENT_SUBSCRIPTION]).toMatchObject({
      patterns: ['order.#'],
      broadcast: true,
      events: [],
    });
  });

  it('refuses a bad subscription when the class is declared', () => {
    expect(() => OnEvent('order.*.submit')({ constructor: { name: 'X' } } as object, 'm', {})).toThrow(/@OnEvent on X\.m/);
  });
});
