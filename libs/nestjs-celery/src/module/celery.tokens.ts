import { CeleryClient } from '../client/celery-client.js';
import { CeleryClientProxy } from '../client/celery-client.proxy.js';
import { EventPublisher } from '../events/event-publisher.js';

/** What one `CeleryModule` registration provides: its client, its event publisher, its ClientProxy. */
export type CeleryProvided = 'client' | 'publisher' | 'proxy';

const CLASS_TOKENS = { client: CeleryClient, publisher: EventPublisher, proxy: CeleryClientProxy } as const;
const LABELS: Record<CeleryProvided, string> = { client: 'CeleryClient', publisher: 'EventPublisher', proxy: 'CeleryClientProxy' };

function token(kind: CeleryProvided, name: string | undefined): string | (typeof CLASS_TOKENS)[CeleryProvided] {
  if (name === undefined) return CLASS_TOKENS[kind];
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`CeleryModule: a registration name must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  return `nestjs-celery:${LABELS[kind]}:${name}`;
}

/**
 * Injection token of the {@link CeleryClient} of the `CeleryModule` registered with `name`
 * (the `CeleryClient` class itself for the unnamed registration). See `@InjectCeleryClient`.
 */
export function getCeleryClientToken(name?: string): string | typeof CeleryClient {
  return token('client', name) as string | typeof CeleryClient;
}

/** Injection token of the {@link EventPublisher} of the `CeleryModule` registered with `name`. */
export function getEventPublisherToken(name?: string): string | typeof EventPublisher {
  return token('publisher', name) as string | typeof EventPublisher;
}

/** Injection token of the {@link CeleryClientProxy} of the `CeleryModule` registered with `name`. */
export function getCeleryClientProxyToken(name?: string): string | typeof CeleryClientProxy {
  return token('proxy', name) as string | typeof CeleryClientProxy;
}
