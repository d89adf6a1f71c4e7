import { describe, expect, it } from '@jest/globals';
import { toPyAmqpTable } from '../protocol/field-table.codec.js';
import { PyAmqpTable } from '../protocol/py-amqp-table.js';
import { encodeTaskMessage } from '../protocol/task-message.encoder.js';
import './amqplib.loader.js';
import {
  amqplibDecode,
  amqplibEncodeTable as encodeTable,
  amqplibPublishArgs as Args,
  amqplibPublishFrames as amqplibFrames,
  BASIC_PROPERTIES,
} from '../../test/support/amqplib-reference.js';
import { HeaderFrameTooLargeError } from './broker.errors.js';
import { encodePublishFrames, type PublishFields } from './publish-frames.js';

const task = encodeTaskMessage({ id: 'id-1', task: 'tasks.add', args: [1, 2], origin: 'gen1@host', timeLimit: [300, 60], wireHeaders: 'full' });
const compact = encodeTaskMessage({ id: 'id-2', task: 'tasks.add', args: ['é', { a: [1.5, null] }], origin: 'gen1@host', eta: new Date(0), replyTo: 'r', priority: 3 });

const cases: Array<[string, string, string, object, Buffer]> = [
  ['no options', '', 'celery', {}, Buffer.from('{}')],
  ['empty body', 'ex', 'key', { contentType: 'application/json' }, Buffer.alloc(0)],
  ['Celery full headers as a PyAmqpTable', '', 'celery', { ...task.properties, headers: new PyAmqpTable(task.properties.headers!) }, task.body],
  ['Celery full headers typed', '', 'celery', { ...task.properties, headers: toPyAmqpTable(task.properties.headers!) }, task.body],
  ['compact headers, reply_to, priority', 'ex', 'rk', { ...compact.properties, headers: new PyAmqpTable(compact.properties.headers!) }, compact.body],
  [
    'every property but timestamp',
    'exchange-ü',
    'routing.key',
    {
      contentType: 'text/plain',
      contentEncoding: 'utf-8',
      headers: { a: 1, b: 'two', c: [true, null], d: { e: 2.5 } },
      deliveryMode: 2,
      priority: 255,
      correlationId: 'c',
      replyTo: 'amq.rabbitmq.reply-to',
      expiration: 60000,
      messageId: 'm',
      type: 't',
      userId: 'guest',
      appId: 'app',
      mandatory: true,
      CC: ['x', 'y'],
    },
    Buffer.from('päyload'),
  ],
  ['persistent flag', '', 'q', { persistent: false }, Buffer.from('x')],
];

describe('encodePublishFrames', () => {
  it.each(cases)('writes the bytes amqplib writes: %s', (_label, exchange, routingKey, options, content) => {
    const fields = Args(exchange, routingKey, options);
    const frames = encodePublishFrames(7, fields, content, 131072, encodeTable);
    expect(frames?.toString('hex')).toBe(amqplibFrames(7, fields, content).toString('hex'));
  });

  it('writes one frame after another for many messages (no state left between calls)', () => {
    for (const [, exchange, routingKey, options, content] of [...cases, ...cases]) {
      const fields = Args(exchange, routingKey, options);
      expect(encodePublishFrames(1, fields, content, 131072, encodeTable)?.equals(amqplibFrames(1, fields, content))).toBe(true);
    }
  });

  it.each<[string, object, number, number]>([
    ['a body longer than one frame', {}, 5000, 4096],
    ['a body of exactly one frame', {}, 4096 - 8, 4096],
    ['a body one byte over one frame', {}, 4096 - 7, 4096],
    ['a body of many frames', { headers: { a: 'b' } }, 1_000_000, 131072],
    ['a timestamp', { timestamp: 1700000000 }, 5000, 131072],
  ])('writes the bytes amqplib writes for %s', (_label, options, size, frameMax) => {
    const fields = Args('', 'q', options);
    const content = Buffer.alloc(size, 7);
    expect(encodePublishFrames(3, fields, content, frameMax, encodeTable)?.equals(amqplibFrames(3, fields, content, frameMax))).toBe(true);
  });

  it('writes header tables larger than amqplib can (its buffer is 64 KB), up to the frame size', () => {
    const headers = { big: 'h'.repeat(100_000), nested: { list: ['x'.repeat(20_000), 5] }, n: 7 };
    const fields = Args('', 'q', { headers: new PyAmqpTable(headers), timestamp: 1700000000, messageId: 'm' });
    expect(() => amqplibFrames(1, fields, Buffer.from('x'))).toThrow(RangeError);
    const frames = encodePublishFrames(1, fields, Buffer.from('body'), 131072, encodeTable)!;
    const methodEnd = frames.readUInt32BE(3) + 8;
    expect(frames[methodEnd]).toBe(2);
    const headerSize = frames.readUInt32BE(methodEnd + 3);
    const properties = amqplibDecode(BASIC_PROPERTIES, frames.subarray(methodEnd + 7 + 12, methodEnd + 7 + headerSize));
    expect(properties.timestamp).toBe(1700000000);
    expect(properties.messageId).toBe('m');
    // (not toEqual on 120 KB of headers: a failure would print them all)
    expect(JSON.stringify(properties.headers) === JSON.stringify(headers)).toBe(true);
    const body = methodEnd + 7 + headerSize + 1;
    expect(frames.subarray(body + 7, body + 11).toString()).toBe('body');
    expect(frames.length).toBe(body + 12);
    // and the next, small message is written as before
    const small = Args('', 'q', { headers: { a: 1 } });
    expect(encodePublishFrames(1, small, Buffer.from('x'), 131072, encodeTable)!.equals(amqplibFrames(1, small, Buffer.from('x')))).toBe(true);
  });

  it('refuses properties that do not fit in one frame, with a named error (the broker would close the connection)', () => {
    const fields = Args('', 'q', { headers: { big: 'h'.repeat(140_000) } });
    expect(() => encodePublishFrames(1, fields, Buffer.from('x'), 131072, encodeTable)).toThrow(HeaderFrameTooLargeError);
    const justOver = Args('', 'q', { headers: { big: 'h'.repeat(5000) } });
    expect(() => encodePublishFrames(1, justOver, Buffer.from('x'), 4096, encodeTable)).toThrow(/frame size \(4096 bytes\)/);
  });

  it("passes on errors other than a full buffer (a table nested too deep for amqplib's recursive encoder)", () => {
    let nested: Record<string, unknown> = { k: null };
    for (let i = 0; i < 20_000; i++) nested = { n: nested };
    const fields = Args('', 'q', { headers: { nested } });
    expect(() => encodePublishFrames(1, fields, Buffer.from('x'), 131072, encodeTable)).toThrow('Maximum call stack size exceeded');
  });

  it.each<[string, string, object, number]>([
    ['a routing key over 255 bytes', 'é'.repeat(130), {}, 131072],
    ['a non-string correlation id', 'q', { correlationId: 5 }, 131072],
    ['a delivery mode out of range', 'q', { deliveryMode: 300 }, 131072],
    ['a priority that is not an integer', 'q', { priority: 1.5 }, 131072],
  ])('leaves %s to amqplib', (_label, routingKey, options, frameMax) => {
    expect(encodePublishFrames(1, Args('', routingKey, options), Buffer.alloc(5000), frameMax, encodeTable)).toBeUndefined();
  });

  it('throws amqplib\'s error for a header table amqplib cannot write', () => {
    const fields = Args('', 'q', { headers: { bad: Symbol('x') } });
    expect(() => encodePublishFrames(1, fields, Buffer.from('x'), 131072, encodeTable)).toThrow(
      (() => {
        try {
          amqplibFrames(1, fields, Buffer.from('x'));
        } catch (error) {
          return (error as Error).message;
        }
        return 'no error';
      })(),
    );
  });
});
