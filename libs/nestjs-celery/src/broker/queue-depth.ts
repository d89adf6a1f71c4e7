/** A queue's depth as its broker reports it, for monitoring ({@link Broker.queueDepths}). */
export interface QueueDepth {
  readonly name: string;
  /** Messages waiting for a consumer (on Redis: the lengths of the queue's lists, every priority step). */
  readonly messages: number;
  /** Consumers the broker counts; absent where the broker cannot tell (Redis has no consumer registry). */
  readonly consumers?: number;
  /**
   * Delivered and not yet acknowledged; absent where the broker does not say (RabbitMQ's passive
   * declare does not). On Redis: the records of kombu's `unacked` hash that route back to this queue.
   */
  readonly unacked?: number;
}
