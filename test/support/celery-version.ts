import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A Celery release series the e2e tests talk to. */
export type CelerySeries = '5.2' | '5.5';

/** What `celery --version` and `kombu.__version__` print for each series. */
export const CELERY_RELEASES: Record<CelerySeries, { celery: string; kombu: string }> = {
  '5.2': { celery: '5.2.6', kombu: '5.2.4' },
  '5.5': { celery: '5.5.2', kombu: '5.5.3' },
};

/**
 * Where scripts/ensure-celery55.sh unpacks Debian trixie's Celery 5.5 packages: a folder that,
 * first on `PYTHONPATH`, makes `/usr/bin/python3` (bookworm's, Celery 5.2.6) run Celery 5.5.2.
 */
export const CELERY55_SITE = join(
  process.env.CELERY55_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'nestjs-celery', 'celery55'),
  'site',
);

/**
 * The Celery series this test file runs against: `CELERY_SERIES=5.5` (set for every file of the
 * `e2e-celery55` jest project by test/support/celery55.setup.ts), else Debian bookworm's 5.2.6.
 * Read at call time: jest gives each test file its own copy of `process.env`.
 */
export function celerySeries(): CelerySeries {
  return process.env.CELERY_SERIES === '5.5' ? '5.5' : '5.2';
}

/** True when this file runs against Celery 5.5 (kombu ≥ 5.3 writes JSON type markers). */
export function isCelery55(): boolean {
  return celerySeries() === '5.5';
}

/**
 * `PYTHONPATH` for a Python Celery process of the selected series: `dirs` (the apps), then
 * Celery 5.5's unpacked packages when 5.5 is selected (ahead of the system's dist-packages).
 */
export function celeryPythonPath(...dirs: string[]): string {
  if (!isCelery55()) return dirs.join(':');
  if (!existsSync(join(CELERY55_SITE, 'celery', '__init__.py'))) {
    throw new Error(`Celery 5.5 is not unpacked in ${CELERY55_SITE}: run bash scripts/ensure-celery55.sh`);
  }
  return [...dirs, CELERY55_SITE].join(':');
}

/** The selected Celery release, e.g. `5.2.6`, for test titles. */
export function celeryRelease(): string {
  return CELERY_RELEASES[celerySeries()].celery;
}
