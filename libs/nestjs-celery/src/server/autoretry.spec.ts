import { describe, expect, it } from '@jest/globals';
import { CeleryRetry } from '../runtime/celery-retry.js';
import { autoretryOf, exponentialBackoffInterval } from './autoretry.js';
import { TimeLimitExceededError } from './time-limits.js';

class GatewayDown extends Error {
  override readonly name = 'GatewayDown';
}
class ValueError extends Error {
  override readonly name = 'ValueError';
}

describe('exponentialBackoffInterval (get_exponential_backoff_interval, values printed by Celery 5.2)', () => {
  it('doubles from the factor up to the maximum', () => {
    expect(Array.from({ length: 12 }, (_, i) => exponentialBackoffInterval(1, i, 600))).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]);
    expect(Array.from({ length: 5 }, (_, i) => exponentialBackoffInterval(3, i, 20))).toEqual([3, 6, 12, 20, 20]);
    expect(exponentialBackoffInterval(0, 5, 600)).toBe(0);
  });

  it('full jitter is randrange(countdown + 1): an integer from 0 to the countdown', () => {
    expect(exponentialBackoffInterval(1, 3, 600, true, () => 0)).toBe(0);
    expect(exponentialBackoffInterval(1, 3, 600, true, () => 0.999999)).toBe(8);
    expect(exponentialBackoffInterval(1, 3, 600, true, () => 0.5)).toBe(4);
  });
});

describe('autoretryOf (celery/app/autoretry.py)', () => {
  it('retries matching errors by class or Python name, with the error as exc', () => {
    const error = new GatewayDown('502');
    const retry = autoretryOf(error, { autoretryFor: [GatewayDown] }, 0)!;
    expect(retry).toBeInstanceOf(CeleryRetry);
    expect(retry.options).toEqual({ exc: error });
    expect(autoretryOf(new ValueError('x'), { autoretryFor: ['ValueError'] }, 0)).toBeDefined();
    expect(autoretryOf(new TypeError('x'), { autoretryFor: ['Exception'] }, 0)).toBeDefined();
    expect(autoretryOf(new TypeError('x'), { autoretryFor: ['ValueError'] }, 0)).toBeUndefined();
    expect(autoretryOf(new TypeError('x'), {}, 0)).toBeUndefined();
    expect(autoretryOf(new TypeError('x'), undefined, 0)).toBeUndefined();
  });

  it('never retries a retry, a hard time limit or what dontAutoretryFor names', () => {
    expect(autoretryOf(new CeleryRetry({}), { autoretryFor: ['Exception'] }, 0)).toBeUndefined();
    expect(autoretryOf(new TimeLimitExceededError(1), { autoretryFor: ['Exception'] }, 0)).toBeUndefined();
    expect(autoretryOf(new ValueError('x'), { autoretryFor: ['Exception'], dontAutoretryFor: [ValueError] }, 0)).toBeUndefined();
  });

  it("counts down with Celery 5.3+'s backoff: factor int(max(1, retryBackoff)), capped by int(retryBackoffMax), jittered by default", () => {
    const countdown = (options: object, retries: number, random = () => 0.999999) =>
      autoretryOf(new GatewayDown(), { autoretryFor: [GatewayDown], ...options }, retries, random)!.options.countdown;
    expect(countdown({ retryBackoff: true, retryJitter: false }, 3)).toBe(8);
    expect(countdown({ retryBackoff: 2, retryJitter: false }, 3)).toBe(16);
    expect(countdown({ retryBackoff: 0.5, retryJitter: false }, 2)).toBe(4);
    expect(countdown({ retryBackoff: 2, retryBackoffMax: 10.9, retryJitter: false }, 5)).toBe(10);
    expect(countdown({ retryBackoff: true }, 4, () => 0.5)).toBe(8);
    expect(countdown({ retryBackoff: false }, 4)).toBeUndefined();
    expect(countdown({}, 4)).toBeUndefined();
  });

  it("passes retryKwargs to every automatic retry (Celery's retry_kwargs); a backoff replaces their countdown", () => {
    const error = new GatewayDown();
    const options = { autoretryFor: [GatewayDown], retryKwargs: { countdown: 7, maxRetries: 9 } };
    expect(autoretryOf(error, options, 0)!.options).toEqual({ exc: error, countdown: 7, maxRetries: 9 });
    expect(autoretryOf(error, { ...options, retryBackoff: true, retryJitter: false }, 2)!.options).toEqual({ exc: error, countdown: 4, maxRetries: 9 });
  });
});
