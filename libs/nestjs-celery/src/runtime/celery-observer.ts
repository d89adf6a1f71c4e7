import type { BrokerStatus } from '../broker/broker.js';
import type { TaskRequest } from '../protocol/task-message.js';

/** A queue a worker consumes, as {@link CeleryObserver.workerStarted} reports it. */
export interface ObservedQueue {
  readonly name: string;
  /** The consumer's prefetch window (unacknowledged messages the broker may push). */
  readonly prefetch: number;
}

/** How a task's run ended, as {@link CeleryObserver.taskFinished} reports it. */
export type ObservedTaskOutcome = 'succeeded' | 'failed' | 'retried' | 'revoked';

/**
 * What a worker (`ServerCelery`), a client (`CeleryClient`) and an `EventPublisher` tell an
 * observer about the work they do: the hook `nestjs-celery/metrics` counts with, open to any other
 * instrumentation. Every method is optional and called synchronously on the message path, so it
 * must be cheap and must not throw. With no observer set, nothing is called and nothing is paid.
 */
export interface CeleryObserver {
  /** A worker started consuming these queues (task and event queues). */
  workerStarted?(hostname: string, queues: readonly ObservedQueue[]): void;
  /** The broker connection of a worker or client changed state (`reconnecting` counts a lost connection). */
  brokerStatus?(status: BrokerStatus): void;
  /** A task message was received from `queue` and decoded. */
  taskReceived?(queue: string, request: TaskRequest): void;
  /** The task's handler starts running. */
  taskStarted?(request: TaskRequest): void;
  /** The task ended: its handler returned, threw or asked for a retry, or it was revoked (before or while running). */
  taskFinished?(request: TaskRequest, outcome: ObservedTaskOutcome): void;
  /**
   * A task message was rejected (requeued or dead-lettered): `reason` is `undecodable`,
   * `not-registered`, `requeued` or `dead-lettered`; `request` is absent for a message that could
   * not be decoded, `queue` is given when the worker knows it at that point.
   */
  taskRejected?(reason: string, request?: TaskRequest, queue?: string): void;
  /** The worker is done with the request (ran, discarded or handed back); pairs with `taskReceived`. */
  taskReleased?(request: TaskRequest): void;
  /** A publish the broker confirmed, with the time from publish to confirm. */
  publishConfirmed?(durationMs: number): void;
  /** A publish the broker refused or could not take. */
  publishFailed?(error: unknown): void;
  /** A domain event was published (`EventPublisher.publish`). */
  eventPublished?(routingKey: string): void;
  /** An `@OnEvent` handler (named `Class.method`) handled a domain event, or failed on it. */
  eventHandled?(routingKey: string, handler: string, ok: boolean): void;
  /** A domain event was dead-lettered from `queue`. */
  eventDeadLettered?(queue: string, reason: string): void;
}
