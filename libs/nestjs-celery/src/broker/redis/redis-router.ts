import type { Redis } from 'ioredis';
import type { ExchangeDeclaration } from '../topology.js';
import { KOMBU_SEP, type KombuKeys } from './kombu-keys.js';
import { matchesKombuPattern } from './kombu-topic.js';

/**
 * Finds the queues a message goes to, as kombu's virtual exchanges do (`_lookup`): the default
 * exchange `''` names the queue; otherwise the bindings are read from `_kombu.binding.<exchange>`
 * on every publish (other processes bind too) and matched by the exchange's type. Exchange types
 * are known only to the process that declared them, as in kombu; an exchange never declared here
 * is `direct`, except that a binding stored with a pattern is matched as a topic binding.
 */
export class RedisRouter {
  private readonly types = new Map<string, ExchangeDeclaration['type']>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: KombuKeys,
  ) {}

  /** Records an exchange's type (declare). */
  setType(exchange: string, type: ExchangeDeclaration['type']): void {
    this.types.set(exchange, type);
  }

  /** True when `exchange` was declared through this broker. */
  isDeclared(exchange: string): boolean {
    return this.types.has(exchange);
  }

  /** The declared type of `exchange`, `direct` when unknown here (kombu's `typeof`). */
  typeOf(exchange: string): ExchangeDeclaration['type'] {
    return this.types.get(exchange) ?? 'direct';
  }

  /** The queues bound to `exchange` that `routingKey` reaches (no duplicates). */
  async lookup(exchange: string, routingKey: string): Promise<string[]> {
    if (exchange === '') return [routingKey];
    const entries = await this.redis.smembers(this.keys.bindings(exchange));
    const type = this.typeOf(exchange);
    const queues = new Set<string>();
    for (const entry of entries) {
      const [key = '', pattern = '', queue = ''] = entry.split(KOMBU_SEP);
      if (!queue) continue;
      const matches =
        type === 'fanout' ? true : type === 'topic' || (pattern && !this.types.has(exchange)) ? matchesKombuPattern(pattern, routingKey) : key === routingKey;
      if (matches) queues.add(queue);
    }
    return [...queues];
  }
}
