/**
 * `nestjs-celery/monitor`: a monitoring page for Celery workers (Nest and Python), mounted in a
 * Nest HTTP app; its assets ship in the package's `monitor-ui/` folder.
 */
export { CeleryMonitorModule } from './celery-monitor.module.js';
export { CeleryMonitor } from './celery-monitor.js';
export type { CeleryMonitorOptions } from './celery-monitor.options.js';
export type { MonitorFailure, MonitorQueue, MonitorSnapshot, MonitorTask, MonitorTaskRate, MonitorWorker } from './monitor-snapshot.js';
