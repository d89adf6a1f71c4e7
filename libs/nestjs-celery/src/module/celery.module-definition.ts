import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CeleryModuleOptions } from './celery-module.options.js';

/** `forRoot`/`forRootAsync` plumbing for `CeleryModule`; `isGlobal` makes the client injectable everywhere. */
export const {
  ConfigurableModuleClass: CeleryConfigurableModule,
  MODULE_OPTIONS_TOKEN: CELERY_MODULE_OPTIONS,
  OPTIONS_TYPE: CELERY_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CELERY_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CeleryModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
