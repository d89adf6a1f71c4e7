import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CeleryHealthIndicator } from './celery-health.indicator.js';

/** Terminus plus the {@link CeleryHealthIndicator}: import it where the health controller lives. */
@Module({
  imports: [TerminusModule],
  providers: [CeleryHealthIndicator],
  exports: [CeleryHealthIndicator, TerminusModule],
})
export class CeleryHealthModule {}
