import type { LoggerService } from '@nestjs/common';
import type { Broker } from '../broker/broker.js';

/** A queue the worker consumes, with optional queue arguments (must match every other declarer). */
export interface WorkerQueue {
  name: string;
  /** Queue arguments, e.g. `{ 'x-max-priority': 10 }`. Python Celery declares `celery` with none. */
  arguments?: Record<string, unknown>;
}

/** Where rejected messages are republished, with headers saying why. */
export interface DeadLetterOptions {
  /** Durable fanout exchange for dead letters. */
  exchange: string;
  /** Durable queue bound to it. Default: `<exchange>.queue`. */
  queue?: string;
}

/** Options of `ServerCelery`, validated at `listen()` with an error naming the bad option. */
export interface ServerCeleryOptions {
  /** RabbitMQ URL, or `memory://<vhost>` for the in-process broker. Default: `CELERY_BROKER_URL`, else `amqp://guest:guest@127.0.0.1:5672//`. */
  brokerUrl?: string;
  /**
   * Use this broker instead of opening an `AmqpBroker` on `brokerUrl`: e.g. a `MemoryBroker` for
   * tests and embedded runs, or a connection shared with a `CeleryClient`. The worker does not
   * close a broker it was given. Not together with `brokerUrl`.
   */
  broker?: Broker;
  /** Queues to consume. Default `['celery']`. Each is declared like Celery (durable queue, direct exchange, binding). */
  queues?: Array<string | WorkerQueue>;
  /** Handlers running at once. Default 16. */
  concurrency?: number;
  /** Unacknowledged messages per queue consumer. Default `concurrency * 4` (Celery's prefetch multiplier). */
  prefetchCount?: number;
  /** Ack after the handler finished (default true). False acks before running, like Celery's default. */
  acksLate?: boolean;
  /** Node name shown to `celery inspect`. Default `nest<pid>@<hostname>`. */
  nodeName?: string;
  /** `rpc` (default) replies to `reply_to`; `disabled` sends no results. */
  resultBackend?: 'rpc' | 'disabled';
  /** Send a STARTED result before running (Celery's `task_track_started`). Default false. */
  trackStarted?: boolean;
  /** Queue for follow-up tasks (chain steps, callbacks) whose signature names no route. Default `celery`. */
  defaultQueue?: string;
  /** Dead-letter malformed and unroutable messages here (with reason headers) instead of dropping them. */
  deadLetter?: DeadLetterOptions;
  /** How long `close()` waits for running tasks. Default 30 000 ms. */
  shutdownTimeoutMs?: number;
  logger?: LoggerService;
}

/** A bad `ServerCelery` option; the message names it and says what is expected. */
export class InvalidCeleryOptionError extends Error {
  override readonly name = 'InvalidCeleryOptionError';
}

function positiveInteger(value: unknown, option: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
    throw new InvalidCeleryOptionError(`ServerCelery option '${option}' must be a positive integer, got ${String(value)}`);
  }
}

const BROKER_METHODS = ['connect', 'whenConnected', 'declare', 'hasQueue', 'publish', 'publishUnconfirmed', 'consume', 'close'] as const;

function validateBroker(options: ServerCeleryOptions): void {
  const { broker } = options;
  if (broker === undefined) return;
  const missing =
    typeof broker !== 'object' || broker === null
      ? ['(not an object)']
      : BROKER_METHODS.filter((method) => typeof (broker as unknown as Record<string, unknown>)[method] !== 'function');
  if (missing.length > 0) {
    throw new InvalidCeleryOptionError(
      `ServerCelery option 'broker' must implement Broker (an AmqpBroker or MemoryBroker); missing ${missing.join(', ')}`,
    );
  }
  if (options.brokerUrl !== undefined) {
    throw new InvalidCeleryOptionError("ServerCelery options 'broker' and 'brokerUrl' exclude each other: give one of them");
  }
}

/** Checks the options and fills in defaults. */
export function resolveServerOptions(options: ServerCeleryOptions, defaultBrokerUrl: string) {
  positiveInteger(options.concurrency, 'concurrency');
  positiveInteger(options.prefetchCount, 'prefetchCount');
  positiveInteger(options.shutdownTimeoutMs, 'shutdownTimeoutMs');
  if (options.queues !== undefined && (!Array.isArray(options.queues) || options.queues.length === 0)) {
    throw new InvalidCeleryOptionError("ServerCelery option 'queues' must be a non-empty array of queue names");
  }
  const queues: WorkerQueue[] = (options.queues ?? ['celery']).map((q) => (typeof q === 'string' ? { name: q } : q));
  for (const queue of queues) {
    if (!queue || typeof queue.name !== 'string' || queue.name === '') {
      throw new InvalidCeleryOptionError("ServerCelery option 'queues' has an entry without a name");
    }
  }
  if (options.resultBackend !== undefined && !['rpc', 'disabled'].includes(options.resultBackend)) {
    throw new InvalidCeleryOptionError(`ServerCelery option 'resultBackend' must be 'rpc' or 'disabled', got ${String(options.resultBackend)}`);
  }
  if (options.deadLetter !== undefined && (typeof options.deadLetter.exchange !== 'string' || !options.deadLetter.exchange)) {
    throw new InvalidCeleryOptionError("ServerCelery option 'deadLetter.exchange' must be a non-empty string");
  }
  validateBroker(options);
  const concurrency = options.concurrency ?? 16;
  return {
    brokerUrl: options.brokerUrl ?? defaultBrokerUrl,
    broker: options.broker,
    queues,
    concurrency,
    prefetchCount: options.prefetchCount ?? concurrency * 4,
    acksLate: options.acksLate ?? true,
    resultBackend: options.resultBackend ?? 'rpc',
    trackStarted: options.trackStarted ?? false,
    defaultQueue: options.defaultQueue ?? 'celery',
    deadLetter: options.deadLetter
      ? { exchange: options.deadLetter.exchange, queue: options.deadLetter.queue ?? `${options.deadLetter.exchange}.queue` }
      : undefined,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 30_000,
  };
}

/** `ServerCelery` options after validation, with defaults applied. */
export type ResolvedServerOptions = ReturnType<typeof resolveServerOptions>;
