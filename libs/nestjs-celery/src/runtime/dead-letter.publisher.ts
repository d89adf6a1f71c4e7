import type { LoggerService } from '@nestjs/common';
import type { Broker } from '../broker/broker.js';
import { HeaderFrameTooLargeError } from '../broker/broker.errors.js';
import type { Delivery } from '../broker/delivery.js';
import { InvalidTaskMessageError } from '../protocol/protocol.errors.js';
import { decodeDelivery } from '../protocol/task-message.decoder.js';
import type { TaskRequest } from '../protocol/task-message.js';
import { UndecodableFieldTable } from '../broker/undecodable-field-table.js';
import { boundedLine, REFUSAL_LOG_LINE_LIMIT, REJECTED_DETAIL_LIMIT } from './bounded-line.js';
import { DeadLetterMessages } from './dead-letter.messages.js';

/** Header keeping the bytes of a header table that could not be decoded, on the dead-lettered copy. */
export const UNDECODABLE_HEADERS_HEADER = 'x-celery-undecodable-headers';

/** Header set on a dead-lettered copy whose original headers could not be written again beside the reason headers (over amqplib's 64 KB, or refused by its encoder). */
export const HEADERS_DROPPED_HEADER = 'x-celery-headers-dropped';

/** A delivery decoded as a task message, or why it cannot be. */
export type DecodedDelivery = { request: TaskRequest; reason?: undefined; detail?: undefined } | { request?: undefined; reason: string; detail: string };

/** Decodes a delivery as a Celery task message (tasks and events alike); never throws. */
export function decodeTaskDelivery(delivery: Delivery): DecodedDelivery {
  try {
    return { request: decodeDelivery(delivery.message.content, delivery.message.properties) };
  } catch (error) {
    const reason = error instanceof InvalidTaskMessageError ? error.reason : 'unknown-message';
    return { reason, detail: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The error (itself or the cause a failed publish carries) when writing the headers failed before
 * anything was sent: properties larger than amqplib encodes (64 KB), or a table the encoder refuses.
 */
function encodingError(error: unknown): Error | undefined {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof HeaderFrameTooLargeError || cause instanceof RangeError || cause instanceof TypeError ? cause : undefined;
}

/** Builds the log line of one refused message from the action taken and the (bounded) detail. */
export type RefusalLogLine = (action: string, detail: string) => string;

/**
 * Refuses messages that cannot be processed, for the worker's task queues and event queues
 * alike: each is dead-lettered (or rejected) exactly once, with a reason header and one log line
 * both bounded whatever the message's size or shape.
 */
export class DeadLetterPublisher {
  constructor(
    private readonly broker: () => Broker | undefined,
    private readonly target: { exchange: string } | undefined,
    private readonly nodeName: string,
    private readonly logger: LoggerService,
  ) {}

  /**
   * With a dead-letter exchange, publishes a copy there with headers saying why, then acks the
   * original; otherwise (or when that publish fails) rejects it without requeue (the queue's own
   * DLX applies, if any). Logs one line either way. Never throws.
   */
  async deadLetter(
    queue: string,
    delivery: Delivery,
    reason: string,
    detail: string,
    logLine: RefusalLogLine = (action, bounded) => DeadLetterMessages.invalidMessage(queue, reason, bounded, action),
    extraHeaders?: Record<string, unknown>,
  ): Promise<void> {
    const shortDetail = boundedLine(detail, REJECTED_DETAIL_LIMIT);
    const log = (action: string) => this.logger.error(boundedLine(logLine(action, shortDetail), REFUSAL_LOG_LINE_LIMIT));
    const broker = this.broker();
    const { message } = delivery;
    const rejection = {
      'x-celery-rejected-reason': boundedLine(reason, REJECTED_DETAIL_LIMIT),
      'x-celery-rejected-detail': shortDetail,
      'x-celery-rejected-by': this.nodeName,
      'x-original-queue': queue,
      'x-original-exchange': message.fields.exchange,
      'x-original-routing-key': message.fields.routingKey,
      ...extraHeaders,
    };
    if (this.target && broker) {
      const original = message.properties.headers as Record<string, unknown> | UndecodableFieldTable | undefined;
      const kept = original instanceof UndecodableFieldTable ? { [UNDECODABLE_HEADERS_HEADER]: original.bytes } : (original ?? {});
      const publish = (headers: Record<string, unknown>) =>
        broker.publish(this.target!.exchange, queue, message.content, { ...message.properties, headers });
      try {
        try {
          await publish({ ...kept, ...rejection });
        } catch (error) {
          const encoding = encodingError(error);
          if (!encoding) throw error;
          // The original headers could not be written again (over amqplib's 64 KB, or holding a value
          // the encoder refuses), so nothing was sent: keep the message and say why without them.
          await publish({ [HEADERS_DROPPED_HEADER]: boundedLine(`${encoding.name}: ${encoding.message}`, REJECTED_DETAIL_LIMIT), ...rejection });
        }
        log(`dead-lettered to '${this.target.exchange}'`);
        delivery.ack();
        return;
      } catch (error) {
        this.logger.error(boundedLine(DeadLetterMessages.deadLetterFailed((error as Error).message), REFUSAL_LOG_LINE_LIMIT));
      }
    }
    log('rejected');
    // a broker that keeps rejected messages itself (Redis) keeps them with these headers
    delivery.reject(false, rejection);
  }
}
