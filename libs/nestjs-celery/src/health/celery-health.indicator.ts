import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { CeleryHealthCheckOptions } from './celery-health.options.js';

/** Default wait for the workers named in `pingWorkers`. */
const DEFAULT_PING_TIMEOUT_MS = 1000;

/**
 * A `@nestjs/terminus` health indicator for Celery: up when the worker's broker connection and
 * every one of its consumers are up, the client's connection and result channel are up, and
 * every worker named in `pingWorkers` answered a remote ping. The details say which part is down.
 *
 * ```ts
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.celery.isHealthy('celery', { worker, client })]); }
 * ```
 */
@Injectable()
export class CeleryHealthIndicator {
  constructor(private readonly indicators: HealthIndicatorService) {}

  /** Checks what `options` names and reports it under `key`. */
  async isHealthy<Key extends string>(key: Key, options: CeleryHealthCheckOptions): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    const details: Record<string, unknown> = {};
    const problems: string[] = [];
    if (options.worker) {
      const worker = options.worker.health();
      details.worker = { hostname: options.worker.hostname, broker: worker.broker, consumers: worker.consumers, results: worker.results };
      if (worker.broker !== 'connected') problems.push(`worker broker connection is ${worker.broker}`);
      const idle = worker.consumers.filter((consumer) => !consumer.consuming).map((consumer) => consumer.queue);
      if (idle.length > 0) problems.push(`not consuming: ${idle.join(', ')}`);
      if (worker.results === 'redis-down') problems.push('worker result backend (Redis) is unreachable');
    }
    if (options.client) {
      const client = options.client.health();
      details.client = client;
      if (client.broker !== 'connected') problems.push(`client broker connection is ${client.broker}`);
      if (client.replies === 'down') problems.push('result channel is down');
    }
    const names = options.pingWorkers ?? [];
    if (names.length > 0) {
      if (!options.client) throw new Error("CeleryHealthIndicator: 'pingWorkers' needs a 'client' to ping through");
      const replies = await options.client.control
        .ping({ destination: names, timeoutMs: options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS })
        .catch((error: Error) => {
          problems.push(`ping failed: ${error.message}`);
          return {};
        });
      const silent = names.filter((name) => !(name in replies));
      details.workers = Object.fromEntries(names.map((name) => [name, name in replies ? 'up' : 'down']));
      if (silent.length > 0) problems.push(`no ping reply from ${silent.join(', ')}`);
    }
    if (problems.length > 0) return indicator.down({ message: problems.join('; '), ...details });
    return indicator.up(details);
  }
}
