import { Inject } from '@nestjs/common';
import { getCeleryClientProxyToken, getCeleryClientToken, getEventPublisherToken } from './celery.tokens.js';

/**
 * Injects the `CeleryClient` of the `CeleryModule` registered as `name` (the unnamed one without):
 * `constructor(@InjectCeleryClient('billing') private readonly billing: CeleryClient) {}`.
 */
export function InjectCeleryClient(name?: string): PropertyDecorator & ParameterDecorator {
  return Inject(getCeleryClientToken(name));
}

/** Injects the `EventPublisher` of the `CeleryModule` registered as `name` (the unnamed one without). */
export function InjectEventPublisher(name?: string): PropertyDecorator & ParameterDecorator {
  return Inject(getEventPublisherToken(name));
}

/** Injects the `CeleryClientProxy` (Nest `ClientProxy`) of the `CeleryModule` registered as `name` (the unnamed one without). */
export function InjectCeleryClientProxy(name?: string): PropertyDecorator & ParameterDecorator {
  return Inject(getCeleryClientProxyToken(name));
}
