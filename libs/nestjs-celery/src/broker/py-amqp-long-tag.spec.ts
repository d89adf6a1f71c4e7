import { describe, expect, it } from '@jest/globals';
import type { ChannelModel } from 'amqplib';
import { UndecodableFieldTable } from './undecodable-field-table.js';
import { readPyAmqpLongTags } from './py-amqp-long-tag.js';

/** A header table as py-amqp writes `{'x-big': 2**40, 'x-neg': -(2**40), 'task': 'add'}`: `L` for both big integers. */
function pyAmqpTable(): Buffer {
  const parts: Buffer[] = [];
  const entry = (key: string, tag: string, value: Buffer) => parts.push(Buffer.from([key.length]), Buffer.from(key), Buffer.from(tag), value);
  const int64 = (n: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    return b;
  };
  entry('x-big', 'L', int64(2n ** 40n));
  entry('x-neg', 'L', int64(-(2n ** 40n)));
  entry('x-huge', 'L', int64(2n ** 62n));
  const text = Buffer.from('add');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(text.length);
  entry('task', 'S', Buffer.concat([length, text]));
  return Buffer.concat(parts);
}

/** A content-header frame (class 60) on `channel` for a body of `size` bytes: content type, headers, delivery mode 2, message id. */
function headerFrame(channel: number, size: number, headers: Buffer): Buffer {
  const contentType = Buffer.from('application/json');
  const messageId = Buffer.from('m-1');
  const properties = Buffer.concat([
    Buffer.from([0x80 | 0x20 | 0x10, 0x80]), // contentType, headers, deliveryMode; messageId
    Buffer.from([contentType.length]),
    contentType,
    Buffer.from([0, 0, 0, 0]),
    headers,
    Buffer.from([2]),
    Buffer.from([messageId.length]),
    messageId,
  ]);
  properties.writeUInt32BE(headers.length, 2 + 1 + contentType.length);
  const payload = Buffer.alloc(12 + properties.length);
  payload.writeUInt16BE(60, 0);
  payload.writeBigInt64BE(BigInt(size), 4);
  properties.copy(payload, 12);
  const frame = Buffer.alloc(8 + payload.length);
  frame[0] = 2;
  frame.writeUInt16BE(channel, 1);
  frame.writeUInt32BE(payload.length, 3);
  payload.copy(frame, 7);
  frame[frame.length - 1] = 206;
  return frame;
}

const HEARTBEAT = Buffer.from([8, 0, 0, 0, 0, 0, 0, 206]);

/** A stand-in for amqplib's Connection: `recvFrame` (its own) consumes one frame and reports its type. */
function fakeConnection(rest: Buffer) {
  const connection = {
    rest,
    maxFrameSize: 131072,
    recvFrame(this: { rest: Buffer }): unknown {
      if (this.rest.length < 8) return false;
      const type = this.rest[0];
      this.rest = this.rest.subarray(8 + this.rest.readUInt32BE(3));
      return { amqplib: type };
    },
  };
  return { connection, model: { connection } as unknown as ChannelModel };
}

describe('readPyAmqpLongTags', () => {
  it("decodes a content header carrying py-amqp's L tag on this connection, as amqplib shapes its properties", () => {
    const { connection, model } = fakeConnection(Buffer.concat([headerFrame(3, 42, pyAmqpTable()), HEARTBEAT]));
    readPyAmqpLongTags(model);
    const frame = connection.recvFrame() as { id: number; channel: number; size: number; fields: Record<string, unknown> };
    expect(frame).toEqual({
      id: 60,
      channel: 3,
      size: 42,
      fields: {
        contentType: 'application/json',
        contentEncoding: undefined,
        headers: { 'x-big': 2 ** 40, 'x-neg': -(2 ** 40), 'x-huge': 2n ** 62n, task: 'add' },
        deliveryMode: 2,
        priority: undefined,
        correlationId: undefined,
        replyTo: undefined,
        expiration: undefined,
        messageId: 'm-1',
        timestamp: undefined,
        type: undefined,
        userId: undefined,
        appId: undefined,
        clusterId: undefined,
      },
    });
    // every other frame is amqplib's, from where the header frame ended
    expect(connection.recvFrame()).toEqual({ amqplib: 8 });
  });

  it('never throws on a table it cannot read: the headers become an UndecodableFieldTable', () => {
    const { connection, model } = fakeConnection(headerFrame(1, 0, Buffer.from([1, 0x6b, 0x51, 0, 0])));
    readPyAmqpLongTags(model);
    const { fields } = connection.recvFrame() as { fields: { headers: unknown } };
    expect(fields.headers).toBeInstanceOf(UndecodableFieldTable);
    expect((fields.headers as UndecodableFieldTable).reason).toContain('Unexpected field table type tag "Q"');
  });

  it('leaves incomplete header frames, oversized frames and other frames to amqplib', () => {
    const whole = headerFrame(1, 0, pyAmqpTable());
    const partial = fakeConnection(whole.subarray(0, whole.length - 3));
    readPyAmqpLongTags(partial.model);
    expect(partial.connection.recvFrame()).toEqual({ amqplib: 2 });
    const oversized = fakeConnection(whole);
    oversized.connection.maxFrameSize = 16;
    readPyAmqpLongTags(oversized.model);
    expect(oversized.connection.recvFrame()).toEqual({ amqplib: 2 });
  });

  it('hooks a connection once, and only the connection it is given', () => {
    const { connection, model } = fakeConnection(Buffer.alloc(0));
    const other = fakeConnection(Buffer.alloc(0));
    const own = connection.recvFrame;
    const othersOwn = other.connection.recvFrame;
    readPyAmqpLongTags(model);
    const hooked = connection.recvFrame;
    readPyAmqpLongTags(model);
    expect(connection.recvFrame).toBe(hooked);
    expect(hooked).not.toBe(own);
    expect(other.connection.recvFrame).toBe(othersOwn);
  });
});
