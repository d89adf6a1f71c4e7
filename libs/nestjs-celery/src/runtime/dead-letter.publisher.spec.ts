import { describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import type { ConsumeMessage, Options } from 'amqplib';
import type { Broker } from '../broker/broker.js';
import { HeaderFrameTooLargeError, PublishNotConfirmedError } from '../broker/broker.errors.js';
import type { Delivery } from '../broker/delivery.js';
import { UndecodableFieldTable } from '../broker/undecodable-field-table.js';
import { REFUSAL_LOG_LINE_LIMIT, REJECTED_DETAIL_LIMIT } from './bounded-line.js';
import { DeadLetterPublisher, decodeTaskDelivery, HEADERS_DROPPED_HEADER, UNDECODABLE_HEADERS_HEADER } from './dead-letter.publisher.js';

interface Sent {
  exchange: string;
  routingKey: string;
  content: Buffer;
  options: Options.Publish;
}

function setUp(fail: (headers: Record<string, unknown>) => Error | undefined = () => undefined) {
  const sent: Sent[] = [];
  const logs: string[] = [];
  const broker = {
    async publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish) {
      const error = fail(options.headers as Record<string, unknown>);
      if (error) throw error;
      sent.push({ exchange, routingKey, content, options });
    },
  } as unknown as Broker;
  const logger = { error: (line: string) => logs.push(line), log: () => undefined, warn: () => undefined } as LoggerService;
  const refusals = new DeadLetterPublisher(() => broker, { exchange: 'dlx' }, 'w@host', logger);
  const settled: string[] = [];
  const delivery = (headers: unknown, content = Buffer.from('[[], {}, {}]')): Delivery => ({
    message: {
      content,
      fields: { exchange: '', routingKey: 'tasks', deliveryTag: 1, redelivered: false, consumerTag: 'c' },
      properties: { headers, contentType: 'application/json', messageId: 'm-1' },
    } as unknown as ConsumeMessage,
    ack: () => settled.push('ack'),
    reject: (requeue) => settled.push(`reject(${requeue})`),
  });
  return { refusals, sent, logs, settled, delivery };
}

describe('DeadLetterPublisher', () => {
  it('bounds the reason header and the log line whatever the detail (a 49 KB bad value is not repeated whole)', async () => {
    const { refusals, sent, logs, settled, delivery } = setUp();
    const value = 'z'.repeat(49_000);
    const detail = `eta '${value}' is not a date\nsecond line`;
    await refusals.deadLetter('tasks', delivery({ task: 't', eta: value }), 'bad-time', detail);
    expect(settled).toEqual(['ack']);
    expect(sent).toHaveLength(1);
    const headers = sent[0]!.options.headers as Record<string, string>;
    expect(Buffer.byteLength(headers['x-celery-rejected-detail']!)).toBeLessThanOrEqual(REJECTED_DETAIL_LIMIT);
    expect(headers['x-celery-rejected-detail']).toMatch(new RegExp(`^eta 'zzz+… \\[${Buffer.byteLength(detail)} bytes in all\\]$`));
    expect(headers).toMatchObject({ 'x-celery-rejected-reason': 'bad-time', 'x-original-queue': 'tasks', eta: value, task: 't' });
    expect(sent[0]!.options.messageId).toBe('m-1');
    expect(logs).toHaveLength(1);
    expect(Buffer.byteLength(logs[0]!)).toBeLessThanOrEqual(REFUSAL_LOG_LINE_LIMIT);
    expect(logs[0]).toMatch(/^Received invalid task message on 'tasks' \(bad-time\): eta 'zzz.*bytes in all\]; dead-lettered to 'dlx'$/);
  });

  it('bounds a log line built from other huge fields too (an unregistered task name of 100 KB)', async () => {
    const { refusals, logs, sent } = setUp();
    const task = 't'.repeat(100_000);
    await refusals.deadLetter('tasks', delivery0(), 'not-registered', `unregistered task '${task}'`, (action) => `Received unregistered task of type '${task}'; ${action}`);
    expect(Buffer.byteLength(logs[0]!)).toBeLessThanOrEqual(REFUSAL_LOG_LINE_LIMIT);
    expect(logs[0]).toMatch(/… \[\d+ bytes in all\]$/);
    expect(Buffer.byteLength((sent[0]!.options.headers as Record<string, string>)['x-celery-rejected-detail']!)).toBeLessThanOrEqual(REJECTED_DETAIL_LIMIT);
    function delivery0() {
      return setUp().delivery({ task });
    }
  });

  it('keeps the bytes of an undecodable header table as a byte array on the copy', async () => {
    const { refusals, sent, delivery } = setUp();
    const bytes = Buffer.from('raw table bytes');
    await refusals.deadLetter('tasks', delivery(new UndecodableFieldTable('nested too deep', bytes)), 'undecodable-headers', 'nested too deep');
    const headers = sent[0]!.options.headers as Record<string, unknown>;
    expect(headers[UNDECODABLE_HEADERS_HEADER]).toEqual(bytes);
    expect(headers['x-celery-rejected-reason']).toBe('undecodable-headers');
  });

  it('dead-letters without the original headers when they leave no room in the frame for the reason headers', async () => {
    // as AmqpBroker reports it: the encoder's error as the cause of a PublishNotConfirmedError
    const { refusals, sent, settled, delivery } = setUp((headers) =>
      'big' in headers
        ? new PublishNotConfirmedError('publish was not confirmed', { cause: new HeaderFrameTooLargeError('the message properties take 131100 bytes') })
        : undefined,
    );
    await refusals.deadLetter('tasks', delivery({ big: 'b'.repeat(130_000) }), 'body-shape', 'args must be a JSON array');
    expect(settled).toEqual(['ack']);
    const headers = sent[0]!.options.headers as Record<string, unknown>;
    expect(headers).not.toHaveProperty('big');
    expect(headers[HEADERS_DROPPED_HEADER]).toContain('131100 bytes');
    expect(headers['x-celery-rejected-reason']).toBe('body-shape');
  });

  it('dead-letters without the original headers when the encoder refuses one of their values', async () => {
    const { refusals, sent, settled, delivery } = setUp((headers) => ('odd' in headers ? new TypeError('Unknown type to encode: weird') : undefined));
    await refusals.deadLetter('tasks', delivery({ odd: { '!': 'weird', value: 1 } }), 'not-registered', "unregistered task 'x'");
    expect(settled).toEqual(['ack']);
    expect((sent[0]!.options.headers as Record<string, unknown>)[HEADERS_DROPPED_HEADER]).toBe('TypeError: Unknown type to encode: weird');
  });

  it('rejects once, without requeue, when the dead-letter publish fails; one bounded line each', async () => {
    const { refusals, settled, logs, delivery } = setUp(() => new Error(`NOT_FOUND ${'n'.repeat(10_000)}`));
    await refusals.deadLetter('tasks', delivery({}), 'not-json', 'body is not valid JSON');
    expect(settled).toEqual(['reject(false)']);
    expect(logs).toHaveLength(2);
    for (const line of logs) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(REFUSAL_LOG_LINE_LIMIT);
    expect(logs[1]).toBe("Received invalid task message on 'tasks' (not-json): body is not valid JSON; rejected");
  });
});

describe('decodeTaskDelivery', () => {
  it('gives the reason for an undecodable header table instead of reading the body', () => {
    const { delivery } = setUp();
    const decoded = decodeTaskDelivery(delivery(new UndecodableFieldTable('field tables and arrays nested deeper than 100 levels', Buffer.alloc(0))));
    expect(decoded).toEqual({ reason: 'undecodable-headers', detail: 'the header table cannot be decoded: field tables and arrays nested deeper than 100 levels' });
  });

  it('decodes a task, or says why not', () => {
    const { delivery } = setUp();
    expect(decodeTaskDelivery(delivery({ task: 't', id: 'i' })).request).toMatchObject({ task: 't', id: 'i' });
    expect(decodeTaskDelivery(delivery({ task: 't', id: 'i' }, Buffer.from('nope')))).toEqual({ reason: 'not-json', detail: 'body is not valid JSON' });
  });
});
