import { Logger, type LoggerService } from '@nestjs/common';
import type { Options } from 'amqplib';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { BrokerAuthenticationError, BrokerClosedError, BrokerUnavailableError, PublishNotConfirmedError, TopologyMismatchError } from '../broker.errors.js';
import type { Broker, BrokerStatus, ConsumeOptions, ConsumerHandle } from '../broker.js';
import { declarationKey, declarationsOf } from '../declaration.js';
import type { Delivery } from '../delivery.js';
import type { QueueDepth } from '../queue-depth.js';
import type { QueueDeclaration, Topology } from '../topology.js';
import { encodeEnvelope, envelopePriority, type KombuEnvelope } from './kombu-envelope.js';
import { KOMBU_SEP, KombuKeys } from './kombu-keys.js';
import { kombuTopicPattern } from './kombu-topic.js';
import { LuaScript } from './lua-script.js';
import { RedisBrokerMessages } from './redis-broker.messages.js';
import { DEFAULT_DEAD_LETTER_QUEUE, DEFAULT_VISIBILITY_TIMEOUT_MS, type RedisBrokerOptions } from './redis-broker.options.js';
import { describeRedisUrl, openRedis } from './redis-client.js';
import type { RedisDelivery } from './redis-delivery.js';
import { RedisFanout } from './redis-fanout.js';
import { RedisListConsumer } from './redis-list-consumer.js';
import { RedisRouter } from './redis-router.js';
import { PUBLISH_DIRECT_SCRIPT, PUSH_ALL_SCRIPT, UNPARK_SCRIPT } from './redis-scripts.js';
import { parseRedisUrl } from './redis-url.js';
import { redeliveredPayload, UnackedLedger } from './unacked-ledger.js';

const UNPARK = new LuaScript(UNPARK_SCRIPT);
const PUBLISH_DIRECT = new LuaScript(PUBLISH_DIRECT_SCRIPT);
const PUSH_ALL = new LuaScript(PUSH_ALL_SCRIPT);

/** A queue declared with `x-message-ttl` and `x-dead-letter-exchange` (ETA parking): its messages wait in a sorted set. */
interface ParkingQueue {
  ttlMs: number;
  deadLetterExchange: string;
  deadLetterRoutingKey?: string;
}

/**
 * A `Broker` on Redis, wire-compatible with kombu's Redis transport (kombu/transport/redis.py):
 * queues are lists (one per priority step), messages kombu's JSON envelopes, exchanges emulated
 * by `_kombu.binding.<exchange>` sets (direct, topic with kombu's matching) and fanout by
 * `PUBLISH` on `/{db}.` channels; acknowledgements by the `unacked` hash and `unacked_index`
 * sorted set, restored after the visibility timeout. Python Celery workers and clients on the
 * same Redis database see the same queues.
 *
 * Beyond kombu: messages this broker holds are kept visible (never restored under a live
 * worker); a queue with a message TTL and a dead-letter exchange (the worker's ETA parking) keeps
 * its messages in a sorted set until they are due, outside every queue; rejected and unreadable
 * messages go to the `deadLetterQueue` list with the reason instead of disappearing.
 */
export class RedisBroker implements Broker {
  /** kombu's `driver_type`: Celery sends its events on a fanout exchange on Redis. */
  readonly driverType = 'redis';
  readonly keys: KombuKeys;
  readonly logger: LoggerService;
  private readonly statusSubject = new BehaviorSubject<BrokerStatus>('connecting');
  private readonly failures = new Subject<Error>();
  private readonly url: string;
  private readonly visibilityTimeoutMs: number;
  private readonly deadLetterQueue: string;
  private redis?: Redis;
  private opening?: Promise<Redis>;
  private routerInstance?: RedisRouter;
  private ledgerInstance?: UnackedLedger;
  private fanout?: RedisFanout;
  private subscriber?: Redis;
  private readonly declared = new Map<string, string>();
  /** Every binding entry written, by its set: written again after a reconnect (a restarted Redis may have lost them). */
  private readonly bindingEntries = new Map<string, Set<string>>();
  private readonly fanoutQueues = new Map<string, { exchange: string; routingKey: string }>();
  private readonly parkingQueues = new Map<string, ParkingQueue>();
  private readonly transientQueues = new Set<string>();
  private readonly consumers = new Set<{ handle: ConsumerHandle; redis?: Redis }>();
  private sweeper?: NodeJS.Timeout;
  private closed = false;
  private lostLogged = false;

  constructor(private readonly options: RedisBrokerOptions) {
    this.url = options.url;
    const endpoint = parseRedisUrl(options.url);
    this.keys = new KombuKeys({ db: endpoint.db, globalKeyPrefix: options.globalKeyPrefix });
    this.logger = options.logger ?? new Logger('RedisBroker');
    this.visibilityTimeoutMs = options.visibilityTimeoutMs ?? DEFAULT_VISIBILITY_TIMEOUT_MS;
    this.deadLetterQueue = options.deadLetterQueue ?? DEFAULT_DEAD_LETTER_QUEUE;
  }

  get status$(): Observable<BrokerStatus> {
    return this.statusSubject.asObservable();
  }

  get status(): BrokerStatus {
    return this.statusSubject.value;
  }

  /** Refused credentials: the broker closes and waiting operations reject with the error. */
  get failure$(): Observable<Error> {
    return this.failures.asObservable();
  }

  /** The unacknowledged-message ledger (after connect). */
  get ledger(): UnackedLedger {
    return this.ledgerInstance!;
  }

  /** Connects and resolves once Redis answers. Rejects with `BrokerClosedError` after `close()`. */
  async connect(): Promise<void> {
    await this.client();
  }

  /** Resolves when connected; rejects with `BrokerUnavailableError` after `timeoutMs`, or `BrokerClosedError`. */
  async whenConnected(timeoutMs = 30_000): Promise<void> {
    if (this.closed) throw new BrokerClosedError('RedisBroker.whenConnected(): the broker was closed');
    void this.client().catch(() => undefined);
    if (this.status === 'connected') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        subscription.unsubscribe();
        reject(new BrokerUnavailableError(`Redis at ${describeRedisUrl(this.url)} not reachable within ${timeoutMs} ms`));
      }, timeoutMs);
      const subscription = this.statusSubject.subscribe((status) => {
        if (status !== 'connected' && status !== 'closed') return;
        clearTimeout(timer);
        queueMicrotask(() => subscription.unsubscribe());
        if (status === 'connected') resolve();
        else reject(new BrokerClosedError('RedisBroker.whenConnected(): the broker was closed'));
      });
    });
  }

  /**
   * Records exchange types and queue attributes here (kombu keeps them per process too) and
   * writes bindings to `_kombu.binding.<exchange>` (`routing_key`, kombu's topic pattern, queue).
   * A name declared again with other attributes fails with `TopologyMismatchError`.
   */
  async declare(topology: Topology): Promise<void> {
    const redis = await this.client();
    const router = this.routerInstance!;
    const adds: Array<[string, string]> = [];
    for (const declaration of declarationsOf(topology)) {
      const key = declarationKey(declaration);
      const value = JSON.stringify(declaration.value);
      const previous = this.declared.get(key);
      if (previous !== undefined && previous !== value && declaration.kind !== 'binding') {
        throw new TopologyMismatchError(`${key} was declared with other attributes (${previous}); declare it with the same attributes as its other users.`);
      }
      this.declared.set(key, value);
      if (declaration.kind === 'exchange') {
        if (declaration.value.type === 'headers') {
          throw new TopologyMismatchError(`exchange '${declaration.value.name}': kombu's Redis transport has no headers exchange; use direct, topic or fanout`);
        }
        router.setType(declaration.value.name, declaration.value.type);
      }
      else if (declaration.kind === 'queue') this.noteQueue(declaration.value);
      else if (declaration.kind === 'exchange-binding') {
        throw new TopologyMismatchError(`exchange-to-exchange binding '${key}': kombu's Redis transport has none (RabbitMQ only)`);
      } else {
        const { exchange, queue, routingKey } = declaration.value;
        const type = router.typeOf(exchange);
        if (type === 'fanout') this.fanoutQueues.set(queue, { exchange, routingKey: routingKey.replaceAll('#', '*') });
        adds.push([this.keys.bindings(exchange), KombuKeys.bindingEntry(routingKey, type === 'topic' ? kombuTopicPattern(routingKey) : '', queue)]);
      }
    }
    if (adds.length > 0) {
      const pipeline = redis.pipeline();
      for (const [set, entry] of adds) {
        pipeline.sadd(set, entry);
        if (!this.bindingEntries.has(set)) this.bindingEntries.set(set, new Set());
        this.bindingEntries.get(set)!.add(entry);
      }
      await pipeline.exec();
    }
  }

  /** True when a queue of this name was declared through this broker. */
  hasQueue(name: string): boolean {
    return this.declared.has(`queue:${name}`);
  }

  /** Publishes as kombu does (LPUSH onto each bound queue's list, PUBLISH for fanout) and resolves once Redis answered. */
  async publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    if (this.closed) throw new BrokerClosedError('RedisBroker.publish(): the broker was closed');
    try {
      await this.put(exchange, routingKey, encodeEnvelope(exchange, routingKey, content, options));
    } catch (error) {
      if (error instanceof BrokerClosedError) throw error;
      throw new PublishNotConfirmedError(`publish to exchange '${exchange}' with routing key '${routingKey}' failed: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Publishes without waiting (rpc replies, events); failures are logged, never thrown. */
  publishUnconfirmed(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): void {
    if (this.closed) {
      this.logger.warn?.(RedisBrokerMessages.unconfirmedLost(routingKey, 'the broker was closed'));
      return;
    }
    this.put(exchange, routingKey, encodeEnvelope(exchange, routingKey, content, options)).catch((error: Error) =>
      this.logger.warn?.(RedisBrokerMessages.unconfirmedLost(routingKey, error.message)),
    );
  }

  /**
   * Starts a consumer: a queue bound to a fanout exchange is subscribed (kombu's PSUBSCRIBE);
   * any other queue is read from its lists on a connection of its own, at most `prefetch`
   * unacknowledged at a time.
   */
  async consume(queue: string, onDelivery: (delivery: Delivery) => void, options: ConsumeOptions): Promise<ConsumerHandle> {
    const redis = await this.client();
    const fanout = this.fanoutQueues.get(queue);
    if (fanout) {
      const handle = await this.fanoutConsumers().consume(queue, this.keys.fanoutChannel(fanout.exchange, fanout.routingKey), onDelivery);
      return this.track({ handle });
    }
    // A consumer sends one read at a time, so auto-pipelining batches nothing here; without it fewer
    // objects survive into V8's old space and GC pauses are shorter (measured: docs/redis-broker.md).
    const connection = redis.duplicate({
      maxRetriesPerRequest: null,
      enableAutoPipelining: false,
      connectionName: this.options.connectionName ? `${this.options.connectionName}:${queue}` : undefined,
    });
    connection.on('error', () => undefined);
    const handle = new RedisListConsumer(queue, connection, this, onDelivery, options);
    this.startSweeper();
    return this.track({ handle, redis: connection });
  }

  /**
   * Each queue's waiting messages (the lengths of its lists, every priority step, in one round
   * trip) and unacknowledged ones (the `unacked` records that lead back to it, as a restore would
   * route them). Redis has no consumer registry: `consumers` is left out.
   */
  async queueDepths(names: readonly string[]): Promise<QueueDepth[]> {
    const redis = await this.client();
    const pipeline = redis.pipeline();
    for (const name of names) for (const list of this.keys.queueLists(name)) pipeline.llen(list);
    const lengths = ((await pipeline.exec()) ?? []).map(([error, length]) => {
      if (error) throw error;
      return Number(length);
    });
    const unacked = await this.ledger.countByQueue();
    const perQueue = this.keys.queueLists('').length;
    return names.map((name, i) => ({
      name,
      messages: lengths.slice(i * perQueue, (i + 1) * perQueue).reduce((sum, length) => sum + length, 0),
      ...(unacked ? { unacked: unacked.get(name) ?? 0 } : {}),
    }));
  }

  /**
   * Closes: consumers stop, the messages this broker still holds go back to their queues (read
   * next), exclusive and auto-delete queues declared here are deleted. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.all([...this.consumers].map(({ handle }) => handle.cancel().catch(() => undefined)));
    const redis = this.redis;
    if (redis && redis.status === 'ready') {
      try {
        await this.ledgerInstance?.restoreHeld();
        await this.deleteTransientQueues(redis);
      } catch (error) {
        this.logger.warn?.(`closing the Redis broker: ${(error as Error).message}`);
      }
    }
    for (const { redis: connection } of this.consumers) connection?.disconnect();
    this.consumers.clear();
    this.fanout?.stop();
    this.subscriber?.disconnect();
    if (redis) await redis.quit().catch(() => redis.disconnect());
    this.statusSubject.next('closed');
    this.statusSubject.complete();
    this.failures.complete();
  }

  /** Moves an unreadable list entry to the dead-letter list with the reason, logging one line. */
  async deadLetterRaw(queue: string, list: string, raw: string, reason: string, detail: string): Promise<void> {
    const envelope: KombuEnvelope = {
      body: Buffer.from(raw, 'utf8').toString('base64'),
      'content-encoding': 'binary',
      'content-type': 'application/octet-stream',
      headers: { 'x-celery-rejected-reason': reason, 'x-celery-rejected-detail': detail.slice(0, 512), 'x-original-queue': queue },
      properties: { delivery_info: { exchange: '', routing_key: this.deadLetterQueue }, delivery_tag: randomUUID(), body_encoding: 'base64', delivery_mode: 2, priority: 0 },
    };
    const payload = JSON.stringify(envelope);
    const target = this.keys.queue(this.deadLetterQueue);
    const tag = tagOf(raw);
    try {
      if (!(tag && (await this.ledger.move(tag, payload, [target])))) await this.redis!.lpush(target, payload);
      this.logger.error(RedisBrokerMessages.deadLettered(queue, reason, detail.slice(0, 512), this.deadLetterQueue));
    } catch (error) {
      this.logger.error(`${RedisBrokerMessages.deadLettered(queue, reason, detail.slice(0, 512), this.deadLetterQueue)} FAILED: ${(error as Error).message}`);
    }
    void list;
  }

  /** Requeues (read next, as RabbitMQ requeues) or dead-letters a delivery with its reason. */
  reject(delivery: RedisDelivery, requeue: boolean, deadLetterHeaders?: Record<string, unknown>): void {
    const { envelope } = delivery.decoded;
    let move: Promise<boolean>;
    if (requeue) {
      // back where it was (read next), as RabbitMQ requeues; kombu pushes it behind the waiting ones
      move = this.ledger.move(delivery.tag, redeliveredPayload(envelope), [delivery.list], true);
    } else {
      const headers = { ...envelope.headers, ...(deadLetterHeaders ?? { 'x-celery-rejected-reason': 'rejected', 'x-original-queue': this.keys.queueOfList(delivery.list) }) };
      const payload = JSON.stringify({ ...envelope, headers, properties: { ...envelope.properties, delivery_info: { exchange: '', routing_key: this.deadLetterQueue } } });
      move = this.ledger.move(delivery.tag, payload, [this.keys.queue(this.deadLetterQueue)]);
    }
    move.catch((error: Error) => this.logger.warn?.(RedisBrokerMessages.settleFailed(this.keys.queueOfList(delivery.list), error.message)));
  }

  /** Runs one round of the visibility work now (tests): refresh held messages, restore expired ones, unpark due ones. */
  async sweep(): Promise<void> {
    const redis = await this.client();
    await this.ledger.refresh();
    const restored = await this.ledger.restoreVisible();
    if (restored > 0) this.logger.log?.(RedisBrokerMessages.restored(restored));
    await UNPARK.run(redis, [this.keys.parked], [Date.now()]);
  }

  private async put(exchange: string, routingKey: string, envelope: KombuEnvelope): Promise<void> {
    const redis = await this.client();
    const router = this.routerInstance!;
    if (exchange !== '' && router.typeOf(exchange) === 'fanout') {
      await redis.publish(this.keys.fanoutChannel(exchange, routingKey), JSON.stringify(envelope));
      return;
    }
    const payload = JSON.stringify(envelope);
    const priority = envelopePriority(envelope);
    if (exchange !== '' && this.parkingQueues.size === 0 && router.typeOf(exchange) === 'direct' && router.isDeclared(exchange)) {
      // one round trip: bindings read and message pushed by one script
      const step = KombuKeys.step(priority);
      await PUBLISH_DIRECT.run(redis, [this.keys.bindings(exchange)], [routingKey, this.keys.prefix, step ? `${KOMBU_SEP}${step}` : '', payload]);
      return;
    }
    const queues = exchange === '' ? [routingKey] : await router.lookup(exchange, routingKey);
    if (queues.length === 0) return;
    if (!queues.some((queue) => this.parkingQueues.has(queue))) {
      if (queues.length === 1) await redis.lpush(this.keys.queue(queues[0]!, priority), payload);
      else await PUSH_ALL.run(redis, queues.map((queue) => this.keys.queue(queue, priority)), [payload]);
      return;
    }
    const pipeline = redis.multi();
    for (const queue of queues) {
      const parking = this.parkingQueues.get(queue);
      if (!parking) {
        pipeline.lpush(this.keys.queue(queue, priority), payload);
        continue;
      }
      const targets = await router.lookup(parking.deadLetterExchange, parking.deadLetterRoutingKey ?? routingKey);
      const record = JSON.stringify([targets.map((target) => this.keys.queue(target, priority)), payload]);
      pipeline.zadd(this.keys.parked, Date.now() + parking.ttlMs, record);
    }
    await pipeline.exec();
  }

  private noteQueue(queue: QueueDeclaration): void {
    const args = queue.arguments ?? {};
    const ttl = args['x-message-ttl'];
    const dlx = args['x-dead-letter-exchange'];
    if (typeof ttl === 'number' && typeof dlx === 'string') {
      const dlrk = args['x-dead-letter-routing-key'];
      this.parkingQueues.set(queue.name, { ttlMs: ttl, deadLetterExchange: dlx, deadLetterRoutingKey: typeof dlrk === 'string' ? dlrk : undefined });
    }
    if (queue.exclusive || queue.autoDelete) this.transientQueues.add(queue.name);
  }

  private async deleteTransientQueues(redis: Redis): Promise<void> {
    const queues = [...this.transientQueues].filter((queue) => !this.fanoutQueues.has(queue));
    if (queues.length === 0) return;
    const pipeline = redis.pipeline();
    for (const value of this.declared.values()) {
      const binding = JSON.parse(value) as { queue?: string; exchange?: string; routingKey?: string; type?: string };
      if (binding.exchange === undefined || binding.queue === undefined || !queues.includes(binding.queue)) continue;
      const type = this.routerInstance!.typeOf(binding.exchange);
      pipeline.srem(this.keys.bindings(binding.exchange), KombuKeys.bindingEntry(binding.routingKey ?? '', type === 'topic' ? kombuTopicPattern(binding.routingKey ?? '') : '', binding.queue));
    }
    for (const queue of queues) pipeline.del(...this.keys.queueLists(queue));
    await pipeline.exec();
  }

  private track(entry: { handle: ConsumerHandle; redis?: Redis }): ConsumerHandle {
    this.consumers.add(entry);
    const { handle } = entry;
    return {
      queue: handle.queue,
      get consuming() {
        return handle.consuming;
      },
      setPrefetch: (count) => handle.setPrefetch(count),
      cancel: async () => {
        await handle.cancel();
        this.consumers.delete(entry);
        entry.redis?.disconnect();
      },
    };
  }

  /**
   * Writes every binding again after a reconnect, as a Celery worker declares its queues again
   * when its connection comes back: a Redis restarted without persistence (or a failover to a
   * replica behind) lost them, and publishes through the exchanges would reach no queue.
   */
  private async rebind(redis: Redis): Promise<void> {
    if (this.bindingEntries.size === 0) return;
    try {
      const pipeline = redis.pipeline();
      for (const [set, entries] of this.bindingEntries) pipeline.sadd(set, ...entries);
      await pipeline.exec();
    } catch (error) {
      this.logger.warn?.(RedisBrokerMessages.rebindFailed((error as Error).message));
    }
  }

  private fanoutConsumers(): RedisFanout {
    if (!this.fanout) {
      this.subscriber = this.redis!.duplicate({ maxRetriesPerRequest: null });
      this.subscriber.on('error', () => undefined);
      this.fanout = new RedisFanout(this.subscriber, this.logger);
    }
    return this.fanout;
  }

  /** Visibility work for the consumers: every tick unpark due messages; refresh and restore at kombu's pace. */
  private startSweeper(): void {
    if (this.sweeper) return;
    const tickMs = Math.max(50, Math.min(1000, Math.floor(this.visibilityTimeoutMs / 4)));
    const refreshEvery = Math.max(1, Math.floor(this.visibilityTimeoutMs / 3 / tickMs));
    const restoreEvery = Math.max(1, Math.floor(Math.min(10_000, this.visibilityTimeoutMs / 2) / tickMs));
    let tick = 0;
    let running = false;
    const run = async () => {
      if (running || this.closed || this.redis?.status !== 'ready') return;
      running = true;
      try {
        if (tick % refreshEvery === 0) await this.ledger.refresh();
        if (tick % restoreEvery === 0) {
          const restored = await this.ledger.restoreVisible();
          if (restored > 0) this.logger.log?.(RedisBrokerMessages.restored(restored));
        }
        await UNPARK.run(this.redis, [this.keys.parked], [Date.now()]);
      } catch (error) {
        this.logger.warn?.(`Redis visibility sweep failed: ${(error as Error).message}`);
      } finally {
        tick++;
        running = false;
      }
    };
    void run();
    this.sweeper = setInterval(() => void run(), tickMs);
    this.sweeper.unref();
  }

  private client(): Promise<Redis> {
    if (this.closed) return Promise.reject(new BrokerClosedError('RedisBroker: the broker was closed'));
    this.opening ??= this.open();
    return this.opening;
  }

  private async open(): Promise<Redis> {
    const redis = await openRedis(this.url, {
      ...this.options.redis,
      // commands issued in one tick go out in one write (publishes, acks)
      ioredis: { enableAutoPipelining: true, ...this.options.redis?.ioredis },
      connectionName: this.options.connectionName ?? this.options.redis?.connectionName,
    });
    this.redis = redis;
    this.routerInstance = new RedisRouter(redis, this.keys);
    this.ledgerInstance = new UnackedLedger(redis, this.keys, this.routerInstance, this.visibilityTimeoutMs, (error) =>
      this.logger.warn?.(RedisBrokerMessages.settleFailed('?', error.message)),
    );
    redis.on('ready', () => {
      if (this.closed) return;
      if (this.lostLogged) this.logger.log?.(RedisBrokerMessages.reconnected(describeRedisUrl(this.url)));
      this.lostLogged = false;
      if (this.status === 'connecting') this.statusSubject.next('connected');
      else void this.rebind(redis).finally(() => !this.closed && this.statusSubject.next('connected'));
    });
    redis.on('error', (error: Error) => {
      if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(error.message)) {
        const fatal = new BrokerAuthenticationError(`Redis refused the credentials of ${describeRedisUrl(this.url)}: ${error.message}`);
        this.logger.error(RedisBrokerMessages.fatal(fatal.message));
        this.failures.next(fatal);
        void this.close();
        return;
      }
      if (!this.lostLogged && !this.closed) {
        this.lostLogged = true;
        this.logger.warn?.(RedisBrokerMessages.connectionLost(describeRedisUrl(this.url), error.message));
      }
    });
    redis.on('reconnecting', () => {
      if (!this.closed && this.status === 'connected') this.statusSubject.next('reconnecting');
    });
    if (redis.status !== 'ready') {
      await new Promise<void>((resolve, reject) => {
        const onReady = () => {
          redis.off('end', onEnd);
          resolve();
        };
        const onEnd = () => {
          redis.off('ready', onReady);
          reject(new BrokerClosedError('RedisBroker: the connection ended before it was ready'));
        };
        redis.once('ready', onReady);
        redis.once('end', onEnd);
      });
    }
    return redis;
  }
}

/** The delivery tag of a list entry that parses as JSON, for removing its unacked record. */
function tagOf(raw: string): string | undefined {
  try {
    const tag = (JSON.parse(raw) as { properties?: { delivery_tag?: unknown } })?.properties?.delivery_tag;
    return typeof tag === 'string' ? tag : undefined;
  } catch {
    return undefined;
  }
}
