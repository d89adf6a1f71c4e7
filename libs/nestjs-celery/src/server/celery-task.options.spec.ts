import { describe, expect, it } from '@jest/globals';
import { CeleryTask } from '../decorators/celery-task.decorator.js';
import { validateCeleryTaskOptions } from './celery-task.options.js';

describe('@CeleryTask options are checked when the decorator runs', () => {
  it('accepts Celery-shaped options', () => {
    expect(() =>
      validateCeleryTaskOptions('t', { rateLimit: '10/m', autoretryFor: [TypeError, 'ValueError'], retryBackoff: 2, retryBackoffMax: 60, maxRetries: null }),
    ).not.toThrow();
    expect(() => CeleryTask('t', { rateLimit: 5, retryBackoff: true })).not.toThrow();
  });

  it('names the task and the bad option', () => {
    expect(() => CeleryTask('shop.charge', { rateLimit: '10/d' })).toThrow("@CeleryTask('shop.charge'): option 'rateLimit' must be like '100/s', '10/m' or '5/h', got \"10/d\"");
    expect(() => validateCeleryTaskOptions('t', { rateLimit: 'fast' })).toThrow("could not convert string to float: 'fast'");
    expect(() => validateCeleryTaskOptions('t', { autoretryFor: 'ValueError' as never })).toThrow("option 'autoretryFor' must be an array");
    expect(() => validateCeleryTaskOptions('t', { dontAutoretryFor: [''] })).toThrow("option 'dontAutoretryFor'");
    expect(() => validateCeleryTaskOptions('t', { retryBackoff: -1 })).toThrow("option 'retryBackoff' must be a number >= 0");
    expect(() => validateCeleryTaskOptions('t', { retryBackoffMax: Number.NaN })).toThrow("option 'retryBackoffMax'");
    expect(() => validateCeleryTaskOptions('t', { maxRetries: -1 })).toThrow("option 'maxRetries'");
    expect(() => validateCeleryTaskOptions('t', { timeLimit: '5' as never })).toThrow("option 'timeLimit'");
    expect(() => validateCeleryTaskOptions('t', { retryKwargs: { countdown: -2 } })).toThrow("option 'retryKwargs.countdown' must be a number >= 0");
    expect(() => validateCeleryTaskOptions('t', { retryKwargs: { max_retries: 2 } as never })).toThrow("option 'retryKwargs' takes { countdown?, maxRetries? }");
    expect(() => validateCeleryTaskOptions('t', { retryKwargs: { countdown: 2, maxRetries: null } })).not.toThrow();
  });
});
