export * from './celery-event.metadata.js';
export * from './event-context.js';
export { EVENT_FAILED_HANDLERS_HEADER, type EventRejectReason } from './event-dispatcher.js';
export * from './event-payload.codec.js';
export * from './event-publisher.js';
export { eventQueueName } from './event-queue.plan.js';
export * from './event-subscription.js';
export * from './event.errors.js';
export * from './event-version.js';
