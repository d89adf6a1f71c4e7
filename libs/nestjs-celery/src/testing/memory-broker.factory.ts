import { MemoryBroker, type MemoryBrokerOptions } from '../broker/memory/memory-broker.js';
import { MemoryVhost, type MemoryVhostOptions } from '../broker/memory/memory-vhost.js';

/** Options of {@link createMemoryBroker}: the broker's, plus those of its new vhost. */
export interface CreateMemoryBrokerOptions extends MemoryBrokerOptions, MemoryVhostOptions {}

/**
 * A {@link MemoryBroker} on a fresh vhost (or on `options.vhost`), already connected. Share it
 * between a test worker and test clients, or connect more brokers to `broker.vhost` to model
 * one connection per service: `createMemoryBroker({ vhost: broker.vhost })`.
 */
export function createMemoryBroker(options: CreateMemoryBrokerOptions = {}): MemoryBroker {
  const vhost = options.vhost ?? new MemoryVhost({ name: options.name, historyLimit: options.historyLimit });
  const broker = new MemoryBroker({ vhost, connectionName: options.connectionName, logger: options.logger });
  void broker.connect();
  return broker;
}
