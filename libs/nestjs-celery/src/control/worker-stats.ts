import { redactUrl } from '../broker/broker-url.redaction.js';

/** Celery's `connection.info()` as `inspect stats` shows it under `broker` (no password). */
export interface BrokerInfo {
  hostname: string;
  userid: string;
  virtual_host: string;
  port: number;
  insist: boolean;
  ssl: boolean;
  transport: 'amqp';
  connect_timeout: number;
  transport_options: Record<string, unknown>;
  login_method: string;
  uri_prefix: null;
  heartbeat: number;
  failover_strategy: string;
  alternates: string[];
}

/** A Python-shaped subset of Celery's `inspect stats` reply. */
export interface WorkerStats {
  total: Record<string, number>;
  pid: number;
  /** The Lamport clock as a string, as Celery sends it. */
  clock: string;
  /** Seconds since the worker started, rounded. */
  uptime: number;
  pool: {
    /** The pool's `module:Class`, as Celery 5.5 sends it (5.2 does not). */
    implementation: string;
    'max-concurrency': number;
    processes: number[];
    'max-tasks-per-child': null;
    'put-guarded-by-semaphore': boolean;
    timeouts: number[];
  };
  broker: BrokerInfo;
  prefetch_count: number;
  rusage: Record<string, number>;
}

/** What {@link workerStats} reads from the worker. */
export interface WorkerStatsInput {
  total: Record<string, number>;
  clock: number;
  startedAt: number;
  concurrency: number;
  prefetchCount: number;
  brokerUrl: string;
  heartbeatSeconds: number;
  /** kombu's `failover_strategy` of a URL list. Default `round-robin`. */
  failoverStrategy?: string;
  now?: number;
}

function decodeOr(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function parseOr(url: string, fallback: string): URL {
  try {
    return new URL(url);
  } catch {
    return new URL(fallback);
  }
}

/** `connection.info()` of an amqp URL; Celery's `//` path (and no path) is vhost `/`. */
export function brokerInfo(url: string, heartbeatSeconds: number, failoverStrategy = 'round-robin'): BrokerInfo {
  // A failover list (`a;b`): the first URL is described, the others are the alternates (masked).
  const [first = '', ...others] = url.split(';');
  // Parsed from the redacted URL: a malformed one can put part of its password in the host or path.
  const parsed = parseOr(redactUrl(first), 'amqp://localhost');
  const ssl = parsed.protocol === 'amqps:';
  const path = parsed.pathname.replace(/^\//, '');
  return {
    hostname: parsed.hostname,
    userid: decodeOr(parsed.username || 'guest'),
    virtual_host: path === '' || path === '/' ? '/' : decodeOr(path),
    port: parsed.port ? Number(parsed.port) : ssl ? 5671 : 5672,
    insist: false,
    ssl,
    transport: 'amqp',
    connect_timeout: 4,
    transport_options: {},
    login_method: 'PLAIN',
    uri_prefix: null,
    heartbeat: heartbeatSeconds,
    failover_strategy: failoverStrategy,
    alternates: others.map(redactUrl),
  };
}

/** Python's `resource.getrusage(RUSAGE_SELF)` fields from Node's `process.resourceUsage()`. */
export function rusage(usage: NodeJS.ResourceUsage = process.resourceUsage()): Record<string, number> {
  return {
    utime: usage.userCPUTime / 1e6,
    stime: usage.systemCPUTime / 1e6,
    maxrss: usage.maxRSS,
    ixrss: usage.sharedMemorySize,
    idrss: usage.unsharedDataSize,
    isrss: usage.unsharedStackSize,
    minflt: usage.minorPageFault,
    majflt: usage.majorPageFault,
    nswap: usage.swappedOut,
    inblock: usage.fsRead,
    oublock: usage.fsWrite,
    msgsnd: usage.ipcSent,
    msgrcv: usage.ipcReceived,
    nsignals: usage.signalsCount,
    nvcsw: usage.voluntaryContextSwitches,
    nivcsw: usage.involuntaryContextSwitches,
  };
}

/** Builds the `inspect stats` reply of a Nest worker (a single process: `processes` is its pid). */
export function workerStats(input: WorkerStatsInput): WorkerStats {
  const now = input.now ?? Date.now();
  return {
    total: input.total,
    pid: process.pid,
    clock: String(input.clock),
    uptime: Math.round((now - input.startedAt) / 1000),
    pool: {
      implementation: 'nestjs-celery:ServerCelery',
      'max-concurrency': input.concurrency,
      processes: [process.pid],
      'max-tasks-per-child': null,
      'put-guarded-by-semaphore': false,
      timeouts: [],
    },
    broker: brokerInfo(input.brokerUrl, input.heartbeatSeconds, input.failoverStrategy),
    prefetch_count: input.prefetchCount,
    rusage: rusage(),
  };
}
