import { describe, expect, it } from '@jest/globals';
import type { Channel, Options } from 'amqplib';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PyAmqpTable } from '../protocol/py-amqp-table.js';
import './amqplib.loader.js';
import { publishFields, publishOnChannel } from './amqplib-publish.js';
import { encodePublishFrames, type PublishFields, type TableEncoder } from './publish-frames.js';

const require = createRequire(import.meta.url);
const lib = (file: string) => join(dirname(require.resolve('amqplib')), 'lib', file);
const Args = (require(lib('api_args.js')) as { publish(exchange: string, routingKey: string, options: object): PublishFields }).publish;
const { encodeTable } = require(lib('codec.js')) as { encodeTable: TableEncoder };

/** The frames written for these fields (`encodePublishFrames` writes what amqplib writes: publish-frames.spec.ts). */
const frames = (fields: PublishFields) => encodePublishFrames(1, fields, Buffer.from('body'), 131072, encodeTable)?.toString('hex');

const options: Array<[string, Options.Publish]> = [
  ['no options', {}],
  ['Celery task properties', { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, correlationId: 'id', replyTo: 'r', headers: { task: 't', id: 'id', retries: 2 } }],
  ['persistent true', { persistent: true }],
  ['persistent false over deliveryMode', { persistent: false, deliveryMode: 2 }],
  ['deliveryMode true', { deliveryMode: true }],
  ['every other property', { mandatory: true, priority: 9, expiration: 6000, messageId: 'm', type: 't', userId: 'guest', appId: 'a' }],
];

describe('publishFields', () => {
  it.each(options)('gives the frames amqplib writes for its own fields: %s', (_label, publishOptions) => {
    expect(frames(publishFields('ex', 'key', publishOptions, publishOptions.headers))).toBeDefined();
    expect(frames(publishFields('ex', 'key', publishOptions, publishOptions.headers))).toBe(frames(Args('ex', 'key', publishOptions)));
  });

  it('carries a timestamp as amqplib does', () => {
    const fields = publishFields('ex', 'key', { timestamp: 1700000000 }, undefined);
    expect(fields.timestamp).toBe(Args('ex', 'key', { timestamp: 1700000000 }).timestamp);
  });

  it('uses the given header table itself, not a copy built on it', () => {
    const headers = new PyAmqpTable({ task: 't' });
    expect(publishFields('', 'q', { headers: { task: 't' } }, headers).headers).toBe(headers);
  });
});

/** A channel that records what `publishOnChannel` asks of it. */
function recordingChannel() {
  const calls: unknown[][] = [];
  const channel = {
    sendMessage: (fields: PublishFields, properties: PublishFields, content: Buffer) => calls.push(['sendMessage', fields, properties, content]) > 0,
    pushConfirmCallback: (callback: unknown) => void calls.push(['pushConfirmCallback', callback]),
    publish: (...args: unknown[]) => calls.push(['publish', ...args]) > 0,
  };
  return { channel: channel as unknown as Channel, calls };
}

describe('publishOnChannel', () => {
  it('sends the message and registers the confirm callback after it, as ConfirmChannel.publish does', () => {
    const { channel, calls } = recordingChannel();
    const onConfirm = () => undefined;
    const content = Buffer.from('{}');
    expect(publishOnChannel(channel, 'ex', 'key', content, { contentType: 'application/json' }, undefined, onConfirm)).toBe(true);
    expect(calls.map((call) => call[0])).toEqual(['sendMessage', 'pushConfirmCallback']);
    expect(calls[0]![1]).toBe(calls[0]![2]);
    expect(calls[0]![3]).toBe(content);
    expect(calls[1]![1]).toBe(onConfirm);
  });

  it('registers no callback on a channel without confirms', () => {
    const { channel, calls } = recordingChannel();
    publishOnChannel(channel, 'ex', 'key', Buffer.from('{}'), {}, undefined);
    expect(calls.map((call) => call[0])).toEqual(['sendMessage']);
  });

  it('leaves CC and BCC to amqplib, with the header table in the options', () => {
    const { channel, calls } = recordingChannel();
    const headers = { task: 't' };
    const onConfirm = () => undefined;
    publishOnChannel(channel, 'ex', 'key', Buffer.from('{}'), { CC: 'other' }, headers, onConfirm);
    expect(calls).toEqual([['publish', 'ex', 'key', Buffer.from('{}'), { CC: 'other', headers }, onConfirm]]);
  });

  it('throws what a closed channel throws, before registering a callback', () => {
    const { channel, calls } = recordingChannel();
    (channel as unknown as { sendMessage: () => never }).sendMessage = () => {
      throw new Error('Channel closed');
    };
    expect(() => publishOnChannel(channel, 'ex', 'key', Buffer.from('{}'), {}, undefined, () => undefined)).toThrow('Channel closed');
    expect(calls).toEqual([]);
  });
});
