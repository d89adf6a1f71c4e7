import { describe, expect, it } from '@jest/globals';
import type { Broker } from '../broker/broker.js';
import { MemoryBroker } from '../broker/memory/memory-broker.js';
import { InvalidCeleryOptionError, resolveServerOptions } from './server-celery.options.js';

const URL = 'amqp://guest:guest@127.0.0.1:5672//';

describe("ServerCelery option 'broker'", () => {
  it('is passed through as given (no broker: undefined, the URL is used)', () => {
    const broker = new MemoryBroker();
    expect(resolveServerOptions({ broker }, URL).broker).toBe(broker);
    expect(resolveServerOptions({}, URL).broker).toBeUndefined();
  });

  it('must implement Broker; the error names the missing methods', () => {
    const partial = { connect: () => undefined, publish: () => undefined } as unknown as Broker;
    expect(() => resolveServerOptions({ broker: partial }, URL)).toThrow(InvalidCeleryOptionError);
    expect(() => resolveServerOptions({ broker: partial }, URL)).toThrow(/'broker' must implement Broker.*declare/);
    expect(() => resolveServerOptions({ broker: 'amqp://x' as unknown as Broker }, URL)).toThrow(/not an object/);
  });

  it('excludes brokerUrl', () => {
    expect(() => resolveServerOptions({ broker: new MemoryBroker(), brokerUrl: URL }, URL)).toThrow(/'broker' and 'brokerUrl' exclude each other/);
  });
});
