import type { CeleryClient } from '../client/celery-client.js';
import type { ServerCelery } from '../server/server-celery.js';

/** What {@link CeleryHealthIndicator.isHealthy} checks; each part is optional, at least one is expected. */
export interface CeleryHealthCheckOptions {
  /** A worker: its broker connection and every consumer (task and event queues) must be up. */
  worker?: Pick<ServerCelery, 'health' | 'hostname'>;
  /** A client: its broker connection must be up, and its result channel (rpc:// reply consumer or Redis result backend) once started. */
  client?: Pick<CeleryClient, 'health' | 'control'>;
  /**
   * Node names of workers (Nest or Python, e.g. `celery@billing-1`) that must answer a remote
   * `ping` through `client` within `pingTimeoutMs`. Default none (no broadcast is sent).
   */
  pingWorkers?: string[];
  /** How long to wait for the pinged workers. Default 1000 ms. */
  pingTimeoutMs?: number;
}
