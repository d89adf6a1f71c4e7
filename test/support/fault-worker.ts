import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startProcess, type ManagedProcess } from './child-process.js';

const WORKER_MAIN = fileURLToPath(new URL('../faults/fixtures/fault-worker.main.ts', import.meta.url));
const CLIENT_MAIN = fileURLToPath(new URL('../faults/fixtures/fault-client.main.ts', import.meta.url));
const READY = 'fault worker ready';

/** How a fault worker process is configured (see test/faults/fixtures/fault-worker.main.ts). */
export interface FaultWorkerOptions {
  url: string;
  queue: string;
  /** Execution log the worker appends `S|E <task id> <pid>` lines to. */
  execLog: string;
  /** Dead-letter exchange (queue `<dlx>.queue`). */
  dlx?: string;
  concurrency?: number;
  prefetch?: number;
  acksLate?: boolean;
  shutdownTimeoutMs?: number;
  /** Node name; its connection is named `nestjs-celery-worker <nodeName>`. */
  nodeName?: string;
  env?: Record<string, string>;
}

/** How a process ended. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Resident set size of a process in KiB, from /proc/<pid>/status (0 once it is gone). */
export function rssKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** A child process with its exit as a promise. */
export class FaultProcess {
  readonly exit: Promise<ExitStatus>;

  constructor(readonly process: ManagedProcess) {
    const child = process.child;
    this.exit = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
      else child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  get pid(): number {
    return this.process.child.pid!;
  }

  /** Everything it printed so far. */
  get log(): string {
    return this.process.log;
  }

  /** Still running (neither exited nor killed). */
  get alive(): boolean {
    return this.process.child.exitCode === null && this.process.child.signalCode === null;
  }

  rssKb(): number {
    return rssKb(this.pid);
  }

  /** Sends `signal` and resolves with the exit (SIGKILL after `timeoutMs` if it is still running). */
  async kill(signal: NodeJS.Signals, timeoutMs = 30_000): Promise<ExitStatus> {
    if (this.alive) this.process.child.kill(signal);
    const timer = setTimeout(() => this.process.child.kill('SIGKILL'), timeoutMs);
    const status = await this.exit;
    clearTimeout(timer);
    return status;
  }
}

/** A fault worker child process. */
export class FaultWorker extends FaultProcess {
  constructor(
    process: ManagedProcess,
    readonly nodeName: string,
  ) {
    super(process);
  }

  /** The AMQP connection name RabbitMQ shows for this worker. */
  get connectionName(): string {
    return `nestjs-celery-worker ${this.nodeName}`;
  }
}

let started = 0;

/** Starts test/faults/fixtures/fault-worker.main.ts as its own process and waits until it consumes. */
export async function startFaultWorker(options: FaultWorkerOptions): Promise<FaultWorker> {
  const nodeName = options.nodeName ?? `faults${process.pid}-${++started}@${hostname()}`;
  const env: Record<string, string> = {
    NO_COLOR: '1',
    CELERY_BROKER_URL: options.url,
    FAULT_QUEUE: options.queue,
    FAULT_EXEC_LOG: options.execLog,
    FAULT_NODE_NAME: nodeName,
    ...(options.dlx ? { FAULT_DLX: options.dlx } : {}),
    ...(options.concurrency ? { FAULT_CONCURRENCY: String(options.concurrency) } : {}),
    ...(options.prefetch ? { FAULT_PREFETCH: String(options.prefetch) } : {}),
    ...(options.acksLate === false ? { FAULT_ACKS_LATE: '0' } : {}),
    ...(options.shutdownTimeoutMs ? { FAULT_SHUTDOWN_TIMEOUT_MS: String(options.shutdownTimeoutMs) } : {}),
    ...options.env,
  };
  const child = startProcess(`fault worker ${nodeName}`, process.execPath, ['--import', '@swc-node/register/esm-register', WORKER_MAIN], env);
  const worker = new FaultWorker(child, nodeName);
  try {
    await child.waitFor(READY, 90_000);
  } catch (error) {
    await worker.kill('SIGKILL');
    throw error;
  }
  return worker;
}

/** What the fault client child process is asked to send (see test/faults/fixtures/fault-client.main.ts). */
export interface FaultClientOptions {
  url: string;
  queue: string;
  /** Tasks to send: `faults.work(i, taskMs)`. */
  count: number;
  /** Sends started per second. */
  ratePerSecond: number;
  taskMs?: number;
  connectionName: string;
  env?: Record<string, string>;
}

/** The fault client's account: ids confirmed by the broker, ids whose send failed (with the error). */
export interface ClientAccount {
  confirmed: string[];
  failed: Array<{ id: string; error: string }>;
  done: boolean;
}

/** A client child process sending tasks with `CeleryClient`. */
export class FaultClient extends FaultProcess {
  /** Parses its `C <id>` / `F <id> <error>` / `client done` lines. */
  account(): ClientAccount {
    const account: ClientAccount = { confirmed: [], failed: [], done: false };
    for (const line of this.log.split('\n')) {
      if (line.startsWith('C ')) account.confirmed.push(line.slice(2).trim());
      else if (line.startsWith('F ')) {
        const [, id = '', ...error] = line.split(' ');
        account.failed.push({ id, error: error.join(' ') });
      } else if (line.startsWith('client done')) account.done = true;
    }
    return account;
  }
}

/** Starts test/faults/fixtures/fault-client.main.ts; it begins sending once connected. */
export async function startFaultClient(options: FaultClientOptions): Promise<FaultClient> {
  const env: Record<string, string> = {
    NO_COLOR: '1',
    CELERY_BROKER_URL: options.url,
    FAULT_QUEUE: options.queue,
    FAULT_COUNT: String(options.count),
    FAULT_RATE: String(options.ratePerSecond),
    FAULT_TASK_MS: String(options.taskMs ?? 0),
    FAULT_CONNECTION_NAME: options.connectionName,
    ...options.env,
  };
  const child = startProcess(`fault client ${options.connectionName}`, process.execPath, ['--import', '@swc-node/register/esm-register', CLIENT_MAIN], env);
  const client = new FaultClient(child);
  await child.waitFor('client sending', 90_000);
  return client;
}
