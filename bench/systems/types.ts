/**
 * The common interface of a benchmarked system. Each file in bench/systems/ exports one
 * `SystemAdapter`. The driver only reads its metadata; the libraries themselves are loaded
 * (dynamic `import()`) inside `startConsumer` / `startProducer`, which run in child processes.
 */

/** What both sides of one system run get (one fresh queue per system, round and mode). */
export interface RunContext {
  /** AMQP URL in Celery's form (`amqp://guest:guest@127.0.0.1:5672//`), or the Redis broker URL for Redis systems. */
  brokerUrl: string;
  /** The same broker as a plain amqplib URL (`.../` vhost form). */
  amqpUrl: string;
  redisUrl: string;
  /** Fresh name for this run; systems derive their queue / exchange names from it. */
  queue: string;
  /** Publish persistent messages (delivery mode 2) where the system lets us choose. */
  persistent: boolean;
  /** Unacknowledged messages per consumer. */
  prefetch: number;
  /** Interpreter with Celery, for Python children. */
  python: string;
}

/** What a consumer calls for every message its handler processed. */
export interface ConsumerHooks {
  handled(): void;
}

/** A running consumer. */
export interface ConsumerHandle {
  stop(): Promise<void>;
}

/** The producer side of one system: the driver's workloads are built from these. */
export interface ProducerHandle {
  /**
   * Sends one fire-and-forget message; resolves when the system says it is sent (publisher
   * confirm where the system uses one). W1 keeps `window` of these outstanding.
   */
  publishOne?(): Promise<unknown>;
  /** Alternative to publishOne for systems with their own flow control (raw amqplib's 'drain'). */
  publishMany?(n: number): Promise<void>;
  /** One RPC round trip; resolves with the reply (`{ id, total }`). */
  call?(): Promise<unknown>;
  close(): Promise<void>;
}

/** How to start a non-Node child (Python Celery). */
export interface SpawnSpec {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

export interface SystemAdapter {
  /** Key used by `--only`. */
  name: string;
  /**
   * The broker the system runs on: RabbitMQ (default) or Redis (`--redis-broker`; opt-in systems,
   * their broker column is Redis's CPU from `INFO cpu`).
   */
  broker?: 'rabbitmq' | 'redis';
  /** Shown in tables. */
  label: string;
  /** npm packages whose versions are reported. */
  packages: string[];
  /** Whether W1 publishes wait for publisher confirms. */
  w1Confirms: boolean;
  /** Delivery mode W1 publishes with, given the run's `persistent` flag. */
  deliveryMode(persistent: boolean): 1 | 2;
  /** One line on the configuration (ack mode, prefetch, reply path, socket options...). */
  settings: string;
  /** Does the system do RPC (W2/W3)? */
  rpc: boolean;
  /** Caps on counts for slow systems (with the reason, printed with the results). */
  caps?: { w1?: number; w2?: number; w3?: number; reason: string };
  /** Queues and exchanges to delete after a run. */
  entities(queue: string): { queues: string[]; exchanges: string[] };

  /** Node consumer: starts consuming `ctx.queue`, calling `hooks.handled()` per message. */
  startConsumer?(ctx: RunContext, hooks: ConsumerHooks): Promise<ConsumerHandle>;
  /** Node producer. */
  startProducer?(ctx: RunContext): Promise<ProducerHandle>;
  /** Non-Node consumer child, speaking the same control protocol. */
  spawnConsumer?(ctx: RunContext): SpawnSpec;
  /** Non-Node producer child, speaking the same control protocol. */
  spawnProducer?(ctx: RunContext): SpawnSpec;
}
