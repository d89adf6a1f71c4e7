import type { CeleryClientOptions } from '../client/celery-client.options.js';

/** Options of `CeleryModule.forRoot()`: the client's options, plus module behaviour. */
export interface CeleryModuleOptions extends CeleryClientOptions {
  /** Connect while the application starts, so a wrong URL fails start-up. Default true. */
  connectOnInit?: boolean;
}

/**
 * A provider that builds a registration's options, for `CeleryModule.forRootAsync({ useClass })`
 * or `forRootAsync({ useExisting })`:
 *
 * ```ts
 * @Injectable()
 * class CeleryConfig implements CeleryOptionsFactory {
 *   constructor(private readonly config: ConfigService) {}
 *   createCeleryOptions(): CeleryModuleOptions {
 *     return { brokerUrl: this.config.getOrThrow('BILLING_BROKER_URL') };
 *   }
 * }
 * ```
 */
export interface CeleryOptionsFactory {
  createCeleryOptions(): Promise<CeleryModuleOptions> | CeleryModuleOptions;
}
