/**
 * Setup of the `e2e-celery55` jest project: the interop suites run a second time, with every
 * Python Celery process on Celery 5.5.2 / kombu 5.5.3 (see test/support/celery-version.ts).
 * Jest gives each test file its own `process.env`, so this never leaks into the `e2e` project.
 */
process.env.CELERY_SERIES = '5.5';
