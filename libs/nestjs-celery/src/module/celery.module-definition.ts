import { ConfigurableModuleBuilder, type DynamicModule, type Provider } from '@nestjs/common';
import { CeleryClient } from '../client/celery-client.js';
import { CeleryClientProxy } from '../client/celery-client.proxy.js';
import { EventPublisher } from '../events/event-publisher.js';
import type { CeleryModuleOptions } from './celery-module.options.js';
import { getCeleryClientProxyToken, getCeleryClientToken, getEventPublisherToken } from './celery.tokens.js';

/** What `forRoot`/`forRootAsync` take besides the client options. */
export interface CeleryModuleExtras {
  /** Make this registration's providers injectable in every module. Default false. */
  isGlobal?: boolean;
  /**
   * Name of this registration, for several side by side (other brokers or vhosts): its providers
   * are then injected with `@InjectCeleryClient(name)`, `@InjectEventPublisher(name)` and
   * `@InjectCeleryClientProxy(name)` instead of by class. At most one registration is unnamed.
   */
  name?: string;
}

/** The client of one registration, under a token only that registration's module sees. */
export const CELERY_MODULE_CLIENT = Symbol('nestjs-celery:module-client');
const CELERY_MODULE_PUBLISHER = Symbol('nestjs-celery:module-publisher');
const CELERY_MODULE_PROXY = Symbol('nestjs-celery:module-proxy');

/** `forRoot`/`forRootAsync` plumbing for `CeleryModule`. */
export const {
  ConfigurableModuleClass: CeleryConfigurableModule,
  MODULE_OPTIONS_TOKEN: CELERY_MODULE_OPTIONS,
  OPTIONS_TYPE: CELERY_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CELERY_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CeleryModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCeleryOptions')
  .setExtras<CeleryModuleExtras>({ isGlobal: false, name: undefined }, (definition, extras) => withClientProviders(definition, extras))
  .build();

/**
 * Adds one registration's client, event publisher and ClientProxy (all on one connection), and
 * exports them under their classes, or under the name's tokens for a named registration.
 */
function withClientProviders(definition: DynamicModule, { isGlobal, name }: CeleryModuleExtras): DynamicModule {
  const exported = [
    { provide: getCeleryClientToken(name), useExisting: CELERY_MODULE_CLIENT },
    { provide: getEventPublisherToken(name), useExisting: CELERY_MODULE_PUBLISHER },
    { provide: getCeleryClientProxyToken(name), useExisting: CELERY_MODULE_PROXY },
  ];
  const providers: Provider[] = [
    ...(definition.providers ?? []),
    {
      provide: CELERY_MODULE_CLIENT,
      useFactory: (options: CeleryModuleOptions) => new CeleryClient(options),
      inject: [CELERY_MODULE_OPTIONS],
    },
    {
      provide: CELERY_MODULE_PUBLISHER,
      useFactory: (client: CeleryClient, options: CeleryModuleOptions) =>
        new EventPublisher(client.unwrap(), options.origin, options.wireHeaders, options.observer),
      inject: [CELERY_MODULE_CLIENT, CELERY_MODULE_OPTIONS],
    },
    {
      provide: CELERY_MODULE_PROXY,
      useFactory: (client: CeleryClient, eventPublisher: EventPublisher) => new CeleryClientProxy({ client, eventPublisher }),
      inject: [CELERY_MODULE_CLIENT, CELERY_MODULE_PUBLISHER],
    },
    ...exported,
  ];
  return { ...definition, global: isGlobal, providers, exports: exported.map((provider) => provider.provide) };
}
