import type { CeleryContext } from '../../runtime/celery-context.js';
import { ControlCommandError } from '../control.errors.js';
import { pythonStringRepr } from '../../protocol/python-repr.js';
import type { ControlOk } from '../control-message.js';
import type { KombuQueueInfo } from '../queue-info.js';
import type { RevokedRegistry } from './revoked-registry.js';
import type { RequestInfo, RequestState, ScheduledRequestInfo } from '../request-info.js';
import type { WorkerActivity } from './worker-activity.js';
import { workerStats, type WorkerStats } from '../worker-stats.js';
import type { LamportClock } from '../lamport-clock.js';
import type { TaskRateLimits } from '../../runtime/task-rate-limits.js';
import { InvalidTaskRateError, type TaskRate } from '../../runtime/task-rate.js';

/** What the control commands read from and act on: the worker as remote control sees it. */
export interface ControlledWorker {
  readonly hostname: string;
  readonly clock: LamportClock;
  readonly revoked: RevokedRegistry;
  readonly activity: WorkerActivity;
  /** The rate limits of the worker's tasks (`rate_limit`, `registered`). */
  readonly rateLimits: TaskRateLimits;
  /** Registered task names. */
  registeredTasks(): string[];
  /** The consumed queues as `active_queues` entries. */
  activeQueues(): KombuQueueInfo[];
  /** True when tasks are acknowledged before they run (then `active` shows `acknowledged: true`). */
  readonly acksEarly: boolean;
  readonly concurrency: number;
  readonly prefetchCount: number;
  readonly brokerUrl: string;
  readonly heartbeatSeconds: number;
  /** kombu's `failover_strategy` of the broker URL list (`inspect stats`). */
  readonly failoverStrategy?: string;
  /** `Date.now()` when the worker started. */
  readonly startedAt: number;
  /** Logs one line (revokes, syncs). */
  log(message: string): void;
  /** This worker's settings under Celery's names, secrets masked (`inspect conf`). */
  conf(): Record<string, unknown>;
  /** Turns task events on or off; false when they already were. */
  setTaskEvents(enabled: boolean): boolean;
  /** Sends a `worker-heartbeat` event now. */
  sendHeartbeat(): void;
}

/** A control command: arguments as sent, reply as returned (undefined for no reply body). */
export type ControlCommand = (worker: ControlledWorker, args: Record<string, unknown>) => unknown;

function required(args: Record<string, unknown>, command: string, name: string): unknown {
  if (!(name in args)) {
    throw new ControlCommandError('TypeError', `${command}() missing 1 required positional argument: '${name}'`);
  }
  return args[name];
}

/** Celery's `maybe_list` for task ids: a string is one id, a list many, null none. */
function taskIds(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return [...new Set(list.map((id) => String(id)))];
}

function ok(text: string): ControlOk {
  return { ok: text };
}

/** The reason given to a terminated request's `ctx.signal`: Celery's `TaskRevokedError('terminated')`. */
export class TaskTerminatedError extends Error {
  override readonly name = 'TaskRevokedError';
  readonly excModule = 'celery.exceptions';
  readonly excArgs = ['terminated'];

  constructor() {
    super('terminated');
  }
}

function revoke(worker: ControlledWorker, args: Record<string, unknown>): ControlOk {
  const ids = taskIds(required(args, 'revoke', 'task_id'));
  worker.revoked.add(ids);
  if (args.terminate === true) {
    const terminated: string[] = [];
    for (const ctx of worker.activity.running(new Set(ids))) {
      if (terminated.includes(ctx.id)) continue;
      terminated.push(ctx.id);
      worker.activity.markTerminated(ctx.id);
      terminate(ctx);
    }
    return ok(terminated.length === 0 ? 'terminate: tasks unknown' : `terminate: ${terminated.join(', ')}`);
  }
  const idstr = ids.join(', ');
  worker.log(`Tasks flagged as revoked: ${idstr}`);
  return ok(`tasks ${idstr} flagged as revoked`);
}

function terminate(ctx: CeleryContext): void {
  ctx.cancel(new TaskTerminatedError());
}

/** Celery's `DEFAULT_TASK_INFO_ITEMS`: the task attributes `registered` shows when it is asked for none. */
const DEFAULT_TASK_INFO_ITEMS = ['exchange', 'routing_key', 'rate_limit'];

/** A task attribute `registered` can show: a Nest task has only `rate_limit` of Celery's (the others are None, so left out). */
function taskInfoItem(worker: ControlledWorker, task: string, field: string): string | undefined {
  if (field !== 'rate_limit') return undefined;
  const rate = worker.rateLimits.rateOf(task);
  return rate === undefined ? undefined : String(rate);
}

/** Celery's `registered`: names, sorted, each with its set `taskinfoitems` as `name [rate_limit=10/m]`. */
function registered(worker: ControlledWorker, args: Record<string, unknown>): string[] {
  const names = worker.registeredTasks();
  const items = Array.isArray(args.taskinfoitems) && args.taskinfoitems.length > 0 ? args.taskinfoitems.map(String) : DEFAULT_TASK_INFO_ITEMS;
  return (args.builtins === true ? names : names.filter((name) => !name.startsWith('celery.'))).sort().map((name) => {
    const fields = items.flatMap((field) => {
      const value = taskInfoItem(worker, name, field);
      return value === undefined ? [] : [`${field}=${value}`];
    });
    return fields.length > 0 ? `${name} [${[...new Set(fields)].join(' ')}]` : name;
  });
}

function nok(text: string): { error: string } {
  return { error: text };
}

/** Celery's `rate_limit(task_name, rate_limit)`: sets a task's rate limit on this worker (an empty one removes it). */
function rateLimit(worker: ControlledWorker, args: Record<string, unknown>): ControlOk | { error: string } {
  const task = String(required(args, 'rate_limit', 'task_name'));
  const rate = required(args, 'rate_limit', 'rate_limit') as TaskRate | null;
  if (!worker.rateLimits.knows(task)) {
    worker.log(`Rate limit attempt for unknown task ${task}`);
    return nok('unknown task');
  }
  try {
    worker.rateLimits.set(task, rate);
  } catch (error) {
    if (!(error instanceof InvalidTaskRateError)) throw error;
    // Python's rate() raises ValueError for a bad number (answered as nok) and KeyError for a bad unit (not caught).
    if (error.pythonType === 'KeyError') throw new ControlCommandError('KeyError', error.detail);
    return nok(`Invalid rate limit string: ValueError(${pythonStringRepr(error.detail)})`);
  }
  if (!rate) {
    worker.log(`Rate limits disabled for tasks of type ${task}`);
    return ok('rate limit disabled successfully');
  }
  worker.log(`New rate limit for tasks of type ${task}: ${String(rate)}.`);
  return ok('new rate limit set successfully');
}

function active(worker: ControlledWorker, args: Record<string, unknown>): RequestInfo[] {
  return worker.activity.info(worker.acksEarly, args.safe === true);
}

function reserved(worker: ControlledWorker): RequestInfo[] {
  return worker.activity.reserved(worker.hostname);
}

function scheduled(worker: ControlledWorker): ScheduledRequestInfo[] {
  return worker.activity.scheduled(worker.hostname);
}

function queryTask(worker: ControlledWorker, args: Record<string, unknown>): Record<string, [RequestState, RequestInfo]> {
  return worker.activity.query(taskIds(required(args, 'query_task', 'ids')), worker.hostname, worker.acksEarly);
}

function toggleTaskEvents(enabled: boolean): ControlCommand {
  const word = enabled ? 'enabled' : 'disabled';
  return (worker) => ok(worker.setTaskEvents(enabled) ? `task events ${word}` : `task events already ${word}`);
}

function stats(worker: ControlledWorker): WorkerStats {
  return workerStats({
    total: worker.activity.totalCounts(),
    clock: worker.clock.value,
    startedAt: worker.startedAt,
    concurrency: worker.concurrency,
    prefetchCount: worker.prefetchCount,
    brokerUrl: worker.brokerUrl,
    heartbeatSeconds: worker.heartbeatSeconds,
    failoverStrategy: worker.failoverStrategy,
  });
}

function hello(worker: ControlledWorker, args: Record<string, unknown>): { revoked: Record<string, [number, string]>; clock: number } | null {
  const from = required(args, 'hello', 'from_node');
  if (from === worker.hostname) return null;
  worker.log(`sync with ${String(from)}`);
  if (args.revoked) worker.revoked.merge(args.revoked);
  return { revoked: worker.revoked.toHelloData(), clock: worker.clock.forward() };
}

/**
 * The commands a Nest worker answers, with Celery 5.2's names and reply shapes
 * (`celery/worker/control.py`). Others get `{"error": "KeyError('<name>')"}` like Python.
 * `query_task` also reports requests held for their ETA, as `scheduled` (a Python worker leaves them out).
 */
export const CONTROL_COMMANDS: ReadonlyMap<string, ControlCommand> = new Map<string, ControlCommand>([
  ['ping', () => ok('pong')],
  ['registered', registered],
  ['dump_tasks', registered],
  ['active_queues', (worker) => worker.activeQueues()],
  ['stats', stats],
  ['active', active],
  ['dump_active', active],
  ['reserved', reserved],
  ['dump_reserved', reserved],
  ['scheduled', scheduled],
  ['dump_schedule', scheduled],
  ['query_task', queryTask],
  ['rate_limit', rateLimit],
  ['conf', (worker) => worker.conf()],
  ['dump_conf', (worker) => worker.conf()],
  ['revoke', revoke],
  ['terminate', (worker, args) => revoke(worker, { ...args, task_id: required(args, 'terminate', 'task_id'), terminate: true })],
  ['revoked', (worker) => worker.revoked.ids()],
  ['dump_revoked', (worker) => worker.revoked.ids()],
  ['clock', (worker) => ({ clock: worker.clock.value })],
  ['hello', hello],
  ['enable_events', toggleTaskEvents(true)],
  ['disable_events', toggleTaskEvents(false)],
  ['heartbeat', (worker) => worker.sendHeartbeat()],
]);

/** Runs one command; unknown names throw Celery's `KeyError('<name>')`. */
export function runControlCommand(worker: ControlledWorker, method: string, args: Record<string, unknown>): unknown {
  const command = CONTROL_COMMANDS.get(method);
  if (!command) throw new ControlCommandError('KeyError', method);
  return command(worker, args);
}
