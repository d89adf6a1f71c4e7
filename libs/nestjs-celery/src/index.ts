/**
 * nestjs-celery: Celery's task bus for NestJS, speaking Celery protocol v2 over RabbitMQ so Nest
 * and Python Celery services call each other.
 *
 * This file is the public API, listed on purpose: what an application, a worker or a test of
 * one needs. Everything else is internal and may change without notice.
 */

// Nest module, decorators and injection
export { CeleryModule, type CeleryModuleAsyncOptions, type CeleryModuleRootOptions } from './module/celery.module.js';
export type { CeleryModuleOptions, CeleryOptionsFactory } from './module/celery-module.options.js';
export { CELERY_MODULE_OPTIONS, type CeleryModuleExtras } from './module/celery.module-definition.js';
export { getCeleryClientProxyToken, getCeleryClientToken, getEventPublisherToken, type CeleryProvided } from './module/celery.tokens.js';
export { InjectCeleryClient, InjectCeleryClientProxy, InjectEventPublisher } from './module/inject-celery.decorator.js';
export { CeleryTask } from './decorators/celery-task.decorator.js';
export { TaskArg, TaskArgs, TaskKwarg, TaskKwargs } from './decorators/task-params.decorator.js';
export { CeleryEvent } from './decorators/celery-event.decorator.js';
export { OnEvent } from './decorators/on-event.decorator.js';

// Client: sending tasks and reading results
export { CeleryClient, type CeleryClientHealth } from './client/celery-client.js';
export type { CeleryClientOptions } from './client/celery-client.options.js';
export { CeleryClientProxy, type CeleryClientProxyEvents, type CeleryClientProxyOptions } from './client/celery-client.proxy.js';
export { CeleryCall, celeryCall, toCeleryCall, type CeleryCallParts } from './client/celery-call.js';
export { AsyncResult, type GetResultOptions } from './client/async-result.js';
export { GroupResult } from './client/group-result.js';
export type { ResultBackendOptions, ResultBackendUrl } from './results/result-backend.options.js';
export { ChordsNotSupportedError, InvalidResultBackendError, ResultBackendUnavailableError } from './results/results.errors.js';
export { chordSignature, groupSignature } from './producer/canvas-apply.js';
export { CeleryTimeoutError } from './client/client.errors.js';
export { defineTask, type TaskDefinition, type TaskProxy } from './client/task-definition.js';
export { versionedTask, type TaskVersion, type VersionChoice, type VersionPolicy, type VersionedTask, type VersionedTaskProxy } from './client/versioned-task.js';
export { TASK_APPLY, TASK_CATALOG, TASK_NAME, type TaskTree, type TaskTreeNode } from './client/task-tree.js';
export type { SendTaskOptions } from './producer/send-task.options.js';
export { CeleryInvalidCallError } from './producer/producer.errors.js';

// Remote control, client side (`client.control`), and the replies it reads
export { CeleryControl, DEFAULT_CONTROL_TIMEOUT_MS, type RateLimitOptions, type RevokeOptions } from './control/client/celery-control.js';
export type { BroadcastOptions, ControlTarget } from './control/client/broadcast.options.js';
export { CeleryInspect, type InspectOptions } from './control/client/celery-inspect.js';
export type { CatalogTask, CatalogWorker, DiscoveredRoute, TaskCatalog } from './control/client/task-catalog.js';
export type { ControlError, ControlOk, ControlReply, NodeMatcher } from './control/control-message.js';
export { CeleryControlCallError, ControlCommandError } from './control/control.errors.js';
export type { KombuExchangeInfo, KombuQueueInfo } from './control/queue-info.js';
export type { RequestInfo, RequestState, ScheduledRequestInfo } from './control/request-info.js';
export type { BrokerInfo, WorkerStats } from './control/worker-stats.js';
export { TaskTerminatedError } from './control/worker/control-panel.js';

// Worker: the Nest transport and what a handler sees
export { ServerCelery, type CeleryConsumerHealth, type CeleryServerEvents, type CeleryServerStatus, type CeleryWorkerHealth } from './server/server-celery.js';
export { InvalidCeleryOptionError, type DeadLetterOptions, type ServerCeleryOptions, type WorkerQueue } from './server/server-celery.options.js';
export type { ServiceConcurrency } from './server/service-routing.options.js';
export { CELERY_TRANSPORT } from './server/celery-transport.js';
export type { CeleryTaskOptions, ErrorMatcher } from './server/celery-task.options.js';
export { DEFAULT_RETRY_BACKOFF_MAX, exponentialBackoffInterval } from './server/autoretry.js';
export { WorkerLostError } from './server/worker-lost.error.js';
export { InvalidTaskRateError, parseTaskRate, type TaskRate } from './runtime/task-rate.js';
export { DEFAULT_ETA_HOLD_LIMIT_MS, etaParkingQueueName } from './server/eta-parking.js';
export { TaskArgumentsError, type CeleryTaskPayload } from './server/task-arguments.binder.js';
export { SoftTimeLimitExceededError, TimeLimitExceededError } from './server/time-limits.js';
export { CeleryContext, type DeliveryInfo } from './runtime/celery-context.js';
export { CeleryRetry, MaxRetriesExceededError, type RetryOptions } from './runtime/celery-retry.js';
export type { CeleryObserver, ObservedQueue, ObservedTaskOutcome } from './runtime/celery-observer.js';

// Domain events
export { EventPublisher, type PublishEventOptions } from './events/event-publisher.js';
export { EventContext } from './events/event-context.js';
export type { CeleryEventOptions, EventClass } from './events/celery-event.metadata.js';
export type { EventSubscriptionTarget, OnEventOptions } from './events/event-subscription.js';
export { EVENT_FAILED_HANDLERS_HEADER, type EventRejectReason } from './events/event-dispatcher.js';
export { eventQueueName } from './events/event-queue.plan.js';
export { EventNotDecoratedError, EventSubscriptionError, InvalidEventError } from './events/event.errors.js';

// Routing
export { TaskRouter, type TaskRouterOptions } from './routing/task-router.js';
export type { RouteValue, RouterRoute, TaskRoutePairs, TaskRouterFunction, TaskRouterSpec, TaskRoutes, TaskRoutesMap } from './routing/task-routes.js';
export type { BrokerLane, TaskRoute } from './routing/task-route.js';
export type { TaskQueue } from './routing/task-queue.js';
export { InvalidTaskRoutesError } from './routing/routing.errors.js';
export {
  DELAYED_DELIVERY_EXCHANGE,
  delayedDeliveryBindings,
  delayedRoutingKey,
  nativeDelayedDeliveryTopology,
} from './routing/native-delayed-delivery.js';
export { DELIVERY_COUNT_HEADER, DELIVERY_LIMIT_REASON } from './runtime/delivery-limit.js';

// Brokers
export type { Broker, BrokerStatus, ConsumeOptions, ConsumerHandle } from './broker/broker.js';
export type { Delivery } from './broker/delivery.js';
export type { QueueDepth } from './broker/queue-depth.js';
export { AmqpBroker, type AmqpBrokerOptions } from './broker/amqp-broker.js';
export { createBroker, type CreateBrokerOptions } from './broker/broker.factory.js';
export type {
  BrokerConnectionOptions,
  BrokerFailoverStrategy,
  BrokerTlsOptions,
  BrokerUrls,
} from './broker/broker-connection.options.js';
export {
  BrokerAuthenticationError,
  BrokerTlsError,
  BrokerClosedError,
  BrokerConfigurationError,
  BrokerUnavailableError,
  HeaderFrameTooLargeError,
  InvalidFieldTableError,
  PublishNotConfirmedError,
  TopologyMismatchError,
} from './broker/broker.errors.js';
export {
  celeryQueueTopology,
  withQueueType,
  type ExchangeBindingDeclaration,
  type QueueType,
  type BindingDeclaration,
  type CeleryQueueTopologyOptions,
  type ExchangeDeclaration,
  type QueueDeclaration,
  type Topology,
} from './broker/topology.js';
export { redactUrl, URL_SECRET_MASK } from './broker/broker-url.redaction.js';
export { amqplib } from './broker/amqplib.js';
export { decodeFieldTable } from './broker/field-table.decoder.js';
export { toPyAmqpTable } from './broker/py-amqp-table.js';
export { RedisBroker } from './broker/redis/redis-broker.js';
export { DEFAULT_DEAD_LETTER_QUEUE, DEFAULT_VISIBILITY_TIMEOUT_MS, type RedisBrokerOptions } from './broker/redis/redis-broker.options.js';
export { RedisClientMissingError, type RedisConnectionOptions } from './broker/redis/redis-client.js';
export { InvalidRedisUrlError } from './broker/redis/redis-url.js';
export { MemoryBroker, type MemoryBrokerOptions } from './broker/memory/memory-broker.js';
export { MemoryVhost, type MemoryVhostOptions } from './broker/memory/memory-vhost.js';
export { EntityNotFoundError, PreconditionFailedError, ResourceLockedError } from './broker/memory/memory-broker.errors.js';
export type { QueueStats } from './broker/memory/memory-queue.js';
export type { PublishedMessage } from './broker/memory/published-message.js';
export type { XDeathEntry } from './broker/memory/dead-letter.properties.js';

// Celery's wire formats, for tools and tests that read or write messages directly
export {
  type CeleryMessageProperties,
  type EncodedTaskMessage,
  type TaskEmbed,
  type TaskMessageSpec,
  type TaskRequest,
  type TimeLimit,
  type WireHeaders,
} from './protocol/task-message.js';
export { encodeTaskMessage } from './protocol/task-message.encoder.js';
export { decodeTaskMessage, type IncomingMessage, type TaskMessageProperties } from './protocol/task-message.decoder.js';
export { decodeResultMessage, encodeResultMessage, type ResultMessage } from './protocol/result-message.js';
export type { SignatureDict, SignatureOptions } from './protocol/signature.js';
export { CeleryState, type CeleryStateName } from './protocol/celery-state.js';
export type { ExceptionInfo } from './protocol/exception-info.js';
export { CeleryNotRegisteredError, CeleryRemoteError, CeleryTaskRevokedError } from './protocol/celery-remote.error.js';
export { InvalidTaskMessageError, type InvalidTaskReason } from './protocol/protocol.errors.js';
export { CeleryEncodeError, stringifyCeleryJson, toCeleryJsonData, type CeleryJsonOptions } from './protocol/celery-json.encoder.js';
export { PythonValue, type PythonValueType } from './protocol/celery-json.python-value.js';
export { InvalidTypeMarkerError, type TypeMarker } from './protocol/celery-json.markers.js';
export { parseCeleryJson } from './protocol/celery-json.js';
