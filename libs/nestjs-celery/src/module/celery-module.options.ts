import type { CeleryClientOptions } from '../client/celery-client.options.js';

/** Options of `CeleryModule.forRoot()`: the client's options, plus module behaviour. */
export interface CeleryModuleOptions extends CeleryClientOptions {
  /** Connect while the application starts, so a wrong URL fails start-up. Default true. */
  connectOnInit?: boolean;
}
