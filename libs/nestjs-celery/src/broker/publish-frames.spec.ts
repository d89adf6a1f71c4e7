import { describe, expect, it } from '@jest/globals';
import { toPyAmqpTable } from '../protocol/field-table.codec.js';
import { PyAmqpTable } from '../protocol/py-amqp-table.js';
import { encodeTaskMessage } from '../protocol/task-message.encoder.js';
import './amqplib.loader.js';
import { amqplibEncodeTable as encodeTable, amqplibPublishArgs as Args, amqplibPublishFrames as amqplibFrames } from '../../test/support/amqplib-reference.js';
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

  it.each<[string, string, object, number]>([
    ['a body longer than one frame', 'q', {}, 4096],
    ['a timestamp', 'q', { timestamp: 1700000000 }, 131072],
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
