/** kombu's separator inside binding entries and priority queue names (`Channel.sep`). */
export const KOMBU_SEP = '\x06\x16';

/** kombu's `PRIORITY_STEPS`: a queue is one list per step, `<queue>` for 0, `<queue>\x06\x16<step>` above. */
export const PRIORITY_STEPS = [0, 3, 6, 9] as const;

/** Options that name kombu's keys, as Celery's `broker_transport_options` do. */
export interface KombuKeyOptions {
  /** Redis database of the URL; fanout channels carry it (`/{db}.`). */
  db: number;
  /** kombu's `global_keyprefix`: prepended to every key and channel. Default `''`. */
  globalKeyPrefix?: string;
  /** kombu's `unacked_key`. Default `unacked`. */
  unackedKey?: string;
  /** kombu's `unacked_index_key`. Default `unacked_index`. */
  unackedIndexKey?: string;
  /** kombu's `unacked_mutex_key`. Default `unacked_mutex`. */
  unackedMutexKey?: string;
}

/**
 * The Redis keys and channels of kombu's Redis transport (kombu/transport/redis.py), with its
 * `global_keyprefix` applied the way `GlobalKeyPrefixMixin` applies it: to every key and every
 * pub/sub channel.
 */
export class KombuKeys {
  readonly prefix: string;
  readonly unacked: string;
  readonly unackedIndex: string;
  readonly unackedMutex: string;
  /** Where this library parks messages of TTL queues (ETA parking) until they are due: a sorted set. */
  readonly parked: string;
  private readonly fanoutPrefix: string;

  constructor(options: KombuKeyOptions) {
    this.prefix = options.globalKeyPrefix ?? '';
    this.unacked = this.prefix + (options.unackedKey ?? 'unacked');
    this.unackedIndex = this.prefix + (options.unackedIndexKey ?? 'unacked_index');
    this.unackedMutex = this.prefix + (options.unackedMutexKey ?? 'unacked_mutex');
    this.parked = `${this.prefix}nestjs-celery.parked`;
    this.fanoutPrefix = `${this.prefix}/${options.db}.`;
  }

  /** kombu's `priority(n)`: the highest step not above `n`. */
  static step(priority: number): number {
    let step = 0;
    for (const s of PRIORITY_STEPS) if (s <= priority) step = s;
    return step;
  }

  /** The list holding `queue`'s messages of this priority (`_q_for_pri`). */
  queue(queue: string, priority = 0): string {
    const step = KombuKeys.step(priority);
    return step ? `${this.prefix}${queue}${KOMBU_SEP}${step}` : this.prefix + queue;
  }

  /** Every list of `queue`, in the order kombu's BRPOP reads them (priority 0 first). */
  queueLists(queue: string): string[] {
    return PRIORITY_STEPS.map((step) => this.queue(queue, step));
  }

  /** The queue a list key belongs to (the key BRPOP answers with, prefix and priority step removed). */
  queueOfList(key: string): string {
    const bare = key.startsWith(this.prefix) ? key.slice(this.prefix.length) : key;
    const sep = bare.lastIndexOf(KOMBU_SEP);
    return sep < 0 ? bare : bare.slice(0, sep);
  }

  /** `_kombu.binding.<exchange>`: the set of `routing_key \x06\x16 pattern \x06\x16 queue` entries. */
  bindings(exchange: string): string {
    return `${this.prefix}_kombu.binding.${exchange}`;
  }

  /** A binding entry as kombu writes it into {@link bindings}. */
  static bindingEntry(routingKey: string, pattern: string, queue: string): string {
    return [routingKey, pattern, queue].join(KOMBU_SEP);
  }

  /** The channel a fanout publish goes to (`_get_publish_topic`, `fanout_patterns` on): `/{db}.<exchange>[/<routing key>]`. */
  fanoutChannel(exchange: string, routingKey: string): string {
    return routingKey ? `${this.fanoutPrefix}${exchange}/${routingKey}` : this.fanoutPrefix + exchange;
  }

  /** The exchange a fanout channel belongs to (kombu's `_receive_one`). */
  exchangeOfChannel(channel: string): string {
    const bare = channel.startsWith(this.prefix) ? channel.slice(this.prefix.length) : channel;
    const rest = bare.startsWith('/') ? bare.slice(bare.indexOf('.') + 1) : bare;
    const slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.slice(0, slash);
  }
}
