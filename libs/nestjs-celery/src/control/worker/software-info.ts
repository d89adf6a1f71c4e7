import { type as osType } from 'node:os';

/** This library's version, sent as `sw_ver` in worker events (kept equal to its package.json by a unit test). */
export const NESTJS_CELERY_VERSION = '0.1.0';

/** Celery's `SOFTWARE_INFO` of a Nest worker, as worker events carry it (`sw_ident` is `py-celery` for Python). */
export const SOFTWARE_INFO = {
  sw_ident: 'nestjs-celery',
  sw_ver: NESTJS_CELERY_VERSION,
  /** Python's `platform.system()`: `Linux`, `Darwin`, `Windows`. */
  sw_sys: osType() === 'Windows_NT' ? 'Windows' : osType(),
} as const;
