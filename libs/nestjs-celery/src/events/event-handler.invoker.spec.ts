import { describe, expect, it } from '@jest/globals';
import type { MessageHandler } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';
import { of, throwError } from 'rxjs';
import { decodeDelivery } from '../protocol/task-message.decoder.js';
import { encodeTaskMessage } from '../protocol/task-message.encoder.js';
import { EventContext } from './event-context.js';
import { invokeEventHandler } from './event-handler.invoker.js';

function context(): EventContext {
  const encoded = encodeTaskMessage({ id: 'e-1', task: 'order.v2.submit', args: [{}], origin: 'x@y' });
  const message = {
    content: encoded.body,
    properties: encoded.properties,
    fields: { routingKey: 'order.v2.submit', exchange: 'order', redelivered: false, deliveryTag: 1, consumerTag: 'c' },
  } as unknown as ConsumeMessage;
  return new EventContext(decodeDelivery(message.content, message.properties), message, 'n@h', 'H.m');
}

const hooks = (_ctx: unknown, fn: (end: () => void) => Promise<void>) => void fn(() => undefined);

function asHandler(fn: (payload: unknown, ctx: EventContext) => unknown): MessageHandler {
  return fn as unknown as MessageHandler;
}

describe('invokeEventHandler', () => {
  it('resolves when the handler (or its observable) finished', async () => {
    const seen: unknown[] = [];
    await invokeEventHandler(asHandler((payload) => void seen.push(payload)), { a: 1 }, context(), hooks);
    await invokeEventHandler(asHandler(() => of(1, 2)), {}, context(), hooks);
    expect(seen).toEqual([{ a: 1 }]);
  });

  it('rejects with the original error, thrown, errored observable or captured on the context', async () => {
    await expect(invokeEventHandler(asHandler(() => Promise.reject(new RangeError('r'))), {}, context(), hooks)).rejects.toThrow(RangeError);
    await expect(invokeEventHandler(asHandler(() => throwError(() => 'plain text')), {}, context(), hooks)).rejects.toThrow('plain text');
    const ctx = context();
    // what the error capture does in Nest's exception handler: keep the error, end the call with null
    const quiet = asHandler(() => {
      ctx.captureError(new TypeError('t'));
      return of(null);
    });
    await expect(invokeEventHandler(quiet, {}, ctx, hooks)).rejects.toThrow(TypeError);
  });
});

describe('EventContext', () => {
  it('exposes routing key, version, exchange, message id and handler', () => {
    expect(context()).toMatchObject({ routingKey: 'order.v2.submit', version: 2, exchange: 'order', messageId: 'e-1', handler: 'H.m' });
  });
});
