import type { LoggerService } from '@nestjs/common';
import type { MessageHandler } from '@nestjs/microservices';
import type { Broker, ConsumerHandle } from '../broker/broker.js';
import type { Delivery } from '../broker/delivery.js';
import { withQueueType, type QueueType } from '../broker/topology.js';
import { decodeTaskDelivery, type RefusalLogLine } from '../runtime/dead-letter.publisher.js';
import type { TaskRequest } from '../protocol/task-message.js';
import type { EventClass } from './celery-event.metadata.js';
import { EventContext } from './event-context.js';
import { decodeEventPayload } from './event-payload.codec.js';
import { planEventQueues, type EventQueuePlan } from './event-queue.plan.js';
import { CELERY_EVENT_SUBSCRIPTION, type EventSubscription } from './event-subscription.js';
import { EventSubscriptionError } from './event.errors.js';
import { EventMessages } from './event.messages.js';
import { TopicMatcher } from '../broker/topic.matcher.js';
import { eventVersion } from './event-version.js';

/** Header naming the handler(s) that failed (comma-separated) on a dead-lettered event. */
export const EVENT_FAILED_HANDLERS_HEADER = 'x-celery-event-handlers';

/** Why an event went to the dead-letter queue (the `x-celery-rejected-reason` header). */
export type EventRejectReason = 'no-handler' | 'unsupported-version' | 'invalid-payload' | 'handler-failed' | string;

/** What the dispatcher needs from the worker that hosts it (`ServerCelery`). */
export interface EventDispatchHost {
  readonly hostname: string;
  readonly logger: LoggerService;
  /** True once the worker is shutting down: deliveries go back to the queue. */
  isClosing(): boolean;
  /** Type of the shared event queues (`quorum`: Celery 5.5's `x-queue-type`). Default classic. */
  readonly queueType?: QueueType;
  /** Dead-letters a delivery over the worker's delivery limit; true when it did (then it is settled). */
  refusedOverDeliveryLimit?(queue: string, delivery: Delivery): boolean;
  /** Registers in-flight work, so shutdown waits for it. */
  track(work: Promise<void>): void;
  /** Runs a handler through Nest's pipeline within the worker's concurrency; rejects with its error. */
  run(handler: MessageHandler, payload: unknown, ctx: EventContext): Promise<void>;
  /** Dead-letters a delivery with bounded reason headers (plus `headers`) and one bounded log line, then settles it. */
  deadLetter(
    queue: string,
    delivery: Delivery,
    reason: string,
    detail: string,
    logLine: RefusalLogLine,
    headers: Record<string, unknown>,
  ): Promise<void>;
}

/** One handler on one queue, with its compiled patterns and contracts by routing key. */
interface Route {
  handler: MessageHandler;
  subscription: EventSubscription;
  patterns: TopicMatcher[];
  types: Map<string, EventClass> | null;
}

/** What to do with a routing key on one queue, computed once per key. */
interface KeyPlan {
  routes: Route[];
  /** Set when no handler takes the key: why. */
  reject?: { reason: EventRejectReason; detail: string };
}

interface Failure {
  handler: string;
  reason: EventRejectReason;
  detail: string;
}

const KEY_PLAN_CACHE_LIMIT = 1024;

/**
 * Consumes a service's event queues and dispatches each event by its routing key (topic
 * semantics) to every `@OnEvent` handler whose pattern and versions match, never round-robin.
 * The event is acknowledged after all of them finished; an event no handler accepts, a payload
 * failing validation or a throwing handler sends it to the dead-letter queue with headers naming
 * the handler(s) and the reason.
 */
export class EventDispatcher {
  private readonly consumers: Array<{ plan: EventQueuePlan<MessageHandler>; routes: Route[]; keys: Map<string, KeyPlan> }>;

  private constructor(
    private readonly host: EventDispatchHost,
    plans: Array<EventQueuePlan<MessageHandler>>,
  ) {
    this.consumers = plans.map((plan) => ({
      plan,
      keys: new Map(),
      routes: plan.entries.map(({ subscription, handler }) => ({
        handler,
        subscription,
        patterns: subscription.patterns.map((p) => new TopicMatcher(p)),
        types: subscription.events.length ? new Map(subscription.events.map((e) => [e.routingKey, e.type])) : null,
      })),
    }));
  }

  /**
   * The dispatcher for the `@OnEvent` handlers among `handlers`, or undefined when there are none.
   * @throws EventSubscriptionError when there are handlers but no `service` to name their queues
   */
  static create(
    handlers: ReadonlyMap<string, MessageHandler>,
    service: string | undefined,
    host: EventDispatchHost,
  ): EventDispatcher | undefined {
    const entries: Array<{ subscription: EventSubscription; handler: MessageHandler }> = [];
    for (const handler of handlers.values()) {
      const subscription = handler.extras?.[CELERY_EVENT_SUBSCRIPTION] as EventSubscription | undefined;
      if (subscription) entries.push({ subscription, handler });
    }
    if (entries.length === 0) return undefined;
    if (!service) throw new EventSubscriptionError(EventMessages.missingService(entries.map((e) => e.subscription.handler)));
    const instance = `${host.hostname.replace(/[^A-Za-z0-9_.@-]/g, '_')}.${Math.random().toString(36).slice(2, 8)}`;
    return new EventDispatcher(host, planEventQueues(service, instance, entries));
  }

  /** The queues this dispatcher consumes. */
  get queues(): string[] {
    return this.consumers.map((c) => c.plan.queue);
  }

  /** Declares the exchanges, queues and bindings, then starts one consumer per queue. */
  async start(broker: Broker, prefetch: number): Promise<ConsumerHandle[]> {
    const handles: ConsumerHandle[] = [];
    for (const consumer of this.consumers) await broker.declare(withQueueType(consumer.plan.topology, this.host.queueType));
    for (const consumer of this.consumers) {
      const { queue } = consumer.plan;
      const onDelivery = (delivery: Delivery) => this.onDelivery(consumer, delivery);
      handles.push(await broker.consume(queue, onDelivery, { prefetch, exclusive: consumer.plan.broadcast }));
      this.host.logger.log(
        EventMessages.subscribed(queue, consumer.plan.topology.bindings!.map((b) => b.routingKey), consumer.routes.length),
      );
    }
    return handles;
  }

  private onDelivery(consumer: EventDispatcher['consumers'][number], delivery: Delivery): void {
    if (this.host.isClosing()) {
      delivery.reject(true);
      return;
    }
    const queue = consumer.plan.queue;
    if (this.host.refusedOverDeliveryLimit?.(queue, delivery)) return;
    const { request, reason, detail } = decodeTaskDelivery(delivery);
    if (!request) {
      this.host.track(this.reject(queue, delivery, null, [{ handler: '', reason, detail }]));
      return;
    }
    const routingKey = delivery.message.fields.routingKey;
    let keyPlan = consumer.keys.get(routingKey);
    if (!keyPlan) {
      keyPlan = this.planKey(consumer.routes, routingKey);
      if (consumer.keys.size >= KEY_PLAN_CACHE_LIMIT) consumer.keys.clear();
      consumer.keys.set(routingKey, keyPlan);
    }
    if (keyPlan.reject) {
      this.host.track(this.reject(queue, delivery, request, [{ handler: '', ...keyPlan.reject }]));
      return;
    }
    this.host.track(this.dispatch(queue, delivery, request, keyPlan.routes));
  }

  private planKey(routes: Route[], routingKey: string): KeyPlan {
    const matching = routes.filter((route) => route.patterns.some((p) => p.matches(routingKey)));
    if (matching.length === 0) {
      return { routes: [], reject: { reason: 'no-handler', detail: `no @OnEvent handler subscribes to '${routingKey}'` } };
    }
    const version = eventVersion(routingKey);
    const accepting = matching.filter(
      (route) =>
        (route.types === null || route.types.has(routingKey)) &&
        (route.subscription.versions === null || (version !== null && route.subscription.versions.includes(version))),
    );
    if (accepting.length === 0) {
      const handlers = matching.map((r) => r.subscription.handler).join(', ');
      return {
        routes: [],
        reject: { reason: 'unsupported-version', detail: `version ${version ?? 'none'} of '${routingKey}' is accepted by no handler (${handlers})` },
      };
    }
    return { routes: accepting };
  }

  private async dispatch(queue: string, delivery: Delivery, request: TaskRequest, routes: Route[]): Promise<void> {
    const payload = request.args[0];
    const { routingKey } = delivery.message.fields;
    const failures: Failure[] = [];
    const runs: Array<Promise<void>> = [];
    for (const route of routes) {
      const handler = route.subscription.handler;
      let input: unknown = payload;
      if (route.types !== null) {
        const decoded = decodeEventPayload(route.types.get(routingKey)!, payload);
        if (!decoded.ok) {
          failures.push({ handler, reason: 'invalid-payload', detail: decoded.violations.join('; ') });
          continue;
        }
        input = decoded.event;
      }
      const ctx = new EventContext(request, delivery.message, this.host.hostname, handler);
      runs.push(
        this.host.run(route.handler, input, ctx).catch((error: Error) => {
          failures.push({ handler, reason: 'handler-failed', detail: `${error.name}: ${error.message}` });
        }),
      );
    }
    try {
      if (runs.length === 1) await runs[0];
      else if (runs.length > 1) await Promise.all(runs);
      if (failures.length === 0) delivery.ack();
      else await this.reject(queue, delivery, request, failures);
    } catch (error) {
      // Not a handler failure (those are collected above), and the handlers already ran: never run
      // them again for it (the queue's own dead-letter exchange, if any, keeps the event).
      this.host.logger.error(EventMessages.crashed(routingKey, request.id, queue, (error as Error).message));
      delivery.reject(false);
    }
  }

  private reject(queue: string, delivery: Delivery, request: TaskRequest | null, failures: Failure[]): Promise<void> {
    const reason = [...new Set(failures.map((f) => f.reason))].join(',');
    const detail = failures.map((f) => (f.handler ? `${f.handler}: ${f.detail}` : f.detail)).join(' | ');
    const handlers = failures.map((f) => f.handler).filter(Boolean);
    const { routingKey } = delivery.message.fields;
    const id = request?.id ?? String(delivery.message.properties.correlationId ?? '?');
    return this.host.deadLetter(
      queue,
      delivery,
      reason,
      detail,
      (action, bounded) => EventMessages.rejected(routingKey, id, queue, reason, bounded, action),
      handlers.length ? { [EVENT_FAILED_HANDLERS_HEADER]: handlers.join(',') } : {},
    );
  }
}
