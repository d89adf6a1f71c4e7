import { Controller, Get, Inject } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { CeleryClient, getCeleryClientToken, type ServerCelery } from 'nestjs-celery';
import { CeleryHealthIndicator } from 'nestjs-celery/health';
import { SERVICE_WORKER } from './service-ops.tokens.js';

/** `GET /health`: the service's worker (broker connection, every consumer) and its Celery client. */
@Controller('health')
export class ServiceHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly celery: CeleryHealthIndicator,
    private readonly moduleRef: ModuleRef,
    @Inject(SERVICE_WORKER) private readonly worker: ServerCelery,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    // The service module's CeleryModule registers the client; this module only reads it.
    const client = this.moduleRef.get<CeleryClient>(getCeleryClientToken(), { strict: false });
    return this.health.check([() => this.celery.isHealthy('celery', { worker: this.worker, client })]);
  }
}
