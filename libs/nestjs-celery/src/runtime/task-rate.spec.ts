import { describe, expect, it } from '@jest/globals';
import { InvalidTaskRateError, parseTaskRate } from './task-rate.js';

describe('parseTaskRate (Celery 5.2 celery/utils/time.py rate(), values printed by Python)', () => {
  it('reads tasks per second, minute and hour with Python float arithmetic', () => {
    expect(parseTaskRate('100/m')).toBe(1.6666666666666667);
    expect(parseTaskRate('5/h')).toBe(0.0013888888888888887);
    expect(parseTaskRate('100/s')).toBe(100);
    expect(parseTaskRate('0.5')).toBe(0.5);
    expect(parseTaskRate(' 3 /m')).toBe(0.05);
    expect(parseTaskRate('1_0/s')).toBe(10);
    expect(parseTaskRate(7)).toBe(7);
  });

  it('an empty or zero rate is no limit', () => {
    for (const rate of ['', 0, null, undefined, '0/s', '0']) expect(parseTaskRate(rate)).toBe(0);
  });

  it('raises where Python raises: ValueError for the number, KeyError for the unit', () => {
    const error = (rate: string) => {
      try {
        parseTaskRate(rate);
      } catch (e) {
        return e as InvalidTaskRateError;
      }
      throw new Error(`no error for ${rate}`);
    };
    expect(error('x/s')).toMatchObject({ pythonType: 'ValueError', detail: "could not convert string to float: 'x'" });
    expect(error('/s')).toMatchObject({ pythonType: 'ValueError', detail: "could not convert string to float: ''" });
    expect(error('5/d')).toMatchObject({ pythonType: 'KeyError', detail: 'd' });
    expect(error('5/ s')).toMatchObject({ pythonType: 'KeyError', detail: ' s' });
    expect(error('-1/s').pythonType).toBe('ValueError');
    expect(error('5/constructor')).toMatchObject({ pythonType: 'KeyError', detail: 'constructor' });
  });
});
