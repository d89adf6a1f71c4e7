import type { LoggerService } from '@nestjs/common';

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
  /** RabbitMQ URL. Default: `CELERY_BROKER_URL`, else `amqp://guest:guest@127.0.0.1:5672//`. */
  brokerUrl?: string;
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
  /**
   * Dead-letter malformed and unroutable messages here (with reason headers) instead of dropping them.
   * Default with `service`: exchange and queue `<service>.dead-letter` (also where failed events go).
   */
  deadLetter?: DeadLetterOptions;
  /**
   * Name of the service this worker belongs to (e.g. `billing`): names its convention queues
   * (`billing.sync`, `billing.async`) and its event queues (`billing.order-events`).
   */
  service?: string;
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
  if (options.service !== undefined && (typeof options.service !== 'string' || !/^[A-Za-z0-9_-]+$/.test(options.service))) {
    throw new InvalidCeleryOptionError(`ServerCelery option 'service' must be a non-empty string of [A-Za-z0-9_-], got ${JSON.stringify(options.service)}`);
  }
  const concurrency = options.concurrency ?? 16;
  return {
    brokerUrl: options.brokerUrl ?? defaultBrokerUrl,
    queues,
    concurrency,
    prefetchCount: options.prefetchCount ?? concurrency * 4,
    acksLate: options.acksLate ?? true,
    resultBackend: options.resultBackend ?? 'rpc',
    trackStarted: options.trackStarted ?? false,
    defaultQueue: options.defaultQueue ?? 'celery',
    deadLetter: options.deadLetter
      ? { exchange: options.deadLetter.exchange, queue: options.deadLetter.queue ?? `${options.deadLetter.exchange}.queue` }
      : options.service
        ? { exchange: `${options.service}.dead-letter`, queue: `${options.service}.dead-letter` }
        : undefined,
    service: options.service,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 30_000,
  };
}

/** `ServerCelery` options after validation, with defaults applied. */
export type ResolvedServerOptions = ReturnType<typeof resolveServerOptions>;
