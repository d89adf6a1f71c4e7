/** A task's rate limit as Celery writes it: `'100/s'`, `'10/m'`, `'5/h'`, `'0.5'` (per second) or a number of tasks per second. */
export type TaskRate = string | number;

/** A rate limit string Celery's `rate()` cannot read; `pythonType` is what Python raises for it. */
export class InvalidTaskRateError extends Error {
  override readonly name = 'InvalidTaskRateError';

  constructor(
    /** `ValueError` for a bad number (`'x/s'`), `KeyError` for a bad unit (`'5/d'`), as Celery's `rate()` raises. */
    readonly pythonType: 'ValueError' | 'KeyError',
    /** The Python exception's argument. */
    readonly detail: string,
  ) {
    super(`invalid rate limit: ${pythonType}(${detail})`);
  }
}

/** Celery's `RATE_MODIFIER_MAP`, with its float arithmetic (`n / 60.0 / 60.0` for hours). */
const RATE_MODIFIERS: Record<string, (n: number) => number> = { s: (n) => n, m: (n) => n / 60, h: (n) => n / 60 / 60 };
/** What Python's `float()` accepts (besides `inf` / `nan`, which make no sense as a rate). */
const PYTHON_FLOAT = /^\s*[+-]?(\d+(_\d+)*(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)([eE][+-]?\d+)?\s*$/;

/**
 * Tasks per second of a rate limit, exactly as Celery's `celery/utils/time.py: rate()`:
 * `'100/m'` is 100/60, the unit defaults to seconds, and an empty or zero rate means no limit (0).
 * Throws {@link InvalidTaskRateError} where Python raises.
 */
export function parseTaskRate(rate: TaskRate | null | undefined): number {
  if (!rate) return 0;
  if (typeof rate === 'number') {
    if (!Number.isFinite(rate) || rate < 0) throw new InvalidTaskRateError('ValueError', `rate must be a finite number >= 0, got ${rate}`);
    return rate;
  }
  if (typeof rate !== 'string') throw new InvalidTaskRateError('ValueError', `rate must be a string like '10/m', got ${typeof rate}`);
  const slash = rate.indexOf('/');
  const ops = slash === -1 ? rate : rate.slice(0, slash);
  const modifier = slash === -1 ? '' : rate.slice(slash + 1);
  // Python parses the number first (float(ops)), then looks the unit up.
  if (!PYTHON_FLOAT.test(ops)) throw new InvalidTaskRateError('ValueError', `could not convert string to float: '${ops}'`);
  const unit = modifier || 's';
  const per = Object.hasOwn(RATE_MODIFIERS, unit) ? RATE_MODIFIERS[unit] : undefined;
  if (per === undefined) throw new InvalidTaskRateError('KeyError', modifier);
  const value = Number(ops.trim().replaceAll('_', ''));
  if (value < 0) throw new InvalidTaskRateError('ValueError', `rate must be >= 0, got '${ops}'`);
  return per(value) || 0;
}
