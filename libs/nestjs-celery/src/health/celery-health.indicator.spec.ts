import { describe, expect, it } from '@jest/globals';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { CeleryClientHealth } from '../client/celery-client.js';
import type { CeleryWorkerHealth } from '../server/server-celery.js';
import { CeleryHealthIndicator } from './celery-health.indicator.js';

const worker = (health: CeleryWorkerHealth) => ({ hostname: 'w@h', health: () => health });
const client = (health: CeleryClientHealth, pong: string[] = []) =>
  ({ health: () => health, control: { ping: async () => Object.fromEntries(pong.map((n) => [n, { ok: 'pong' }])) } }) as never;

describe('CeleryHealthIndicator', () => {
  const indicator = new CeleryHealthIndicator(new HealthIndicatorService());

  it('is up when the connections and every consumer are up and the named workers answer', async () => {
    const result = await indicator.isHealthy('celery', {
      worker: worker({ broker: 'connected', consumers: [{ queue: 'billing.sync', consuming: true }], results: 'redis-up' }),
      client: client({ broker: 'connected', replies: 'consuming' }, ['py@h']),
      pingWorkers: ['py@h'],
    });
    expect(result.celery.status).toBe('up');
    expect(result.celery).toMatchObject({ workers: { 'py@h': 'up' } });
  });

  it('is down and says why: a lost connection, a consumer not consuming, Redis results unreachable, a silent worker', async () => {
    const result = await indicator.isHealthy('celery', {
      worker: worker({ broker: 'reconnecting', consumers: [{ queue: 'billing.sync', consuming: false }], results: 'redis-down' }),
      client: client({ broker: 'reconnecting', replies: 'down' }),
      pingWorkers: ['py@h'],
    });
    expect(result.celery.status).toBe('down');
    expect(result.celery.message).toBe(
      'worker broker connection is reconnecting; not consuming: billing.sync; worker result backend (Redis) is unreachable; client broker connection is reconnecting; result channel is down; no ping reply from py@h',
    );
  });
});
