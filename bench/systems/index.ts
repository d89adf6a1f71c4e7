import type { SystemAdapter } from './types.js';

/** Every system, in table order. raw amqplib comes first: it is the baseline of every ratio. */
export const SYSTEM_NAMES = [
  'amqplib',
  'amqplib-confirm',
  'nestjs-celery',
  'nestjs-celery-body',
  'nestjs-celery-metrics',
  'nest-rmq',
  'golevelup',
  'celery-node',
  'python-celery',
] as const;

/**
 * Systems run only when named with `--only`: the Redis result backend (nestjs-celery's against
 * Python Celery's, same Redis), which needs a Redis server (`--redis=URL`).
 */
export const OPT_IN_SYSTEM_NAMES = ['nestjs-celery-redis', 'python-celery-redis'] as const;

/** Systems on a Redis broker: opt-in (`--only=`), on `--redis-broker`; their broker column is Redis's CPU (INFO cpu). */
export const REDIS_BROKER_SYSTEM_NAMES = ['nestjs-celery-redis-broker', 'python-celery-redis-broker', 'celery-node-redis-broker', 'bullmq'] as const;

export type SystemName = (typeof SYSTEM_NAMES)[number] | (typeof OPT_IN_SYSTEM_NAMES)[number] | (typeof REDIS_BROKER_SYSTEM_NAMES)[number];

/** The baseline of the ratios. */
export const BASELINE: SystemName = 'amqplib';

export function isSystemName(name: string): name is SystemName {
  return [...SYSTEM_NAMES, ...OPT_IN_SYSTEM_NAMES, ...REDIS_BROKER_SYSTEM_NAMES].includes(name as SystemName);
}

/** Loads a system's adapter (cheap: adapters import their libraries only when started). */
export async function loadSystem(name: string): Promise<SystemAdapter> {
  switch (name) {
    case 'amqplib':
      return (await import('./amqplib.js')).amqplibSystem;
    case 'amqplib-confirm':
      return (await import('./amqplib.js')).amqplibConfirmSystem;
    case 'nestjs-celery':
      return (await import('./nestjs-celery.js')).nestjsCelerySystem;
    case 'nestjs-celery-body':
      return (await import('./nestjs-celery.js')).nestjsCeleryBodySystem;
    case 'nestjs-celery-metrics':
      return (await import('./nestjs-celery.js')).nestjsCeleryMetricsSystem;
    case 'nest-rmq':
      return (await import('./nest-rmq.js')).nestRmqSystem;
    case 'golevelup':
      return (await import('./golevelup.js')).golevelupSystem;
    case 'celery-node':
      return (await import('./celery-node.js')).celeryNodeSystem;
    case 'python-celery':
      return (await import('./python-celery.js')).pythonCelerySystem;
    case 'nestjs-celery-redis':
      return (await import('./nestjs-celery.js')).nestjsCeleryRedisSystem;
    case 'python-celery-redis':
      return (await import('./python-celery.js')).pythonCeleryRedisSystem;
    case 'nestjs-celery-redis-broker':
      return (await import('./nestjs-celery.js')).nestjsCeleryRedisBrokerSystem;
    case 'python-celery-redis-broker':
      return (await import('./python-celery.js')).pythonCeleryRedisBrokerSystem;
    case 'celery-node-redis-broker':
      return (await import('./celery-node.js')).celeryNodeRedisBrokerSystem;
    case 'bullmq':
      return (await import('./bullmq.js')).bullmqSystem;
    default:
      throw new Error(`unknown system '${name}'; known: ${[...SYSTEM_NAMES, ...OPT_IN_SYSTEM_NAMES, ...REDIS_BROKER_SYSTEM_NAMES].join(', ')}`);
  }
}
