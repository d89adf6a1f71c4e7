import { describe, expect, it } from '@jest/globals';
import { createSignature } from '../protocol/signature.js';
import type { SendTaskOptions } from './send-task.options.js';
import { sendOptionsToSignature, signatureToSendOptions } from './signature-options.js';

const link = createSignature('proj.cb', [1]);
const errback = createSignature('proj.eb');

describe('sendOptionsToSignature', () => {
  it('writes only the keys that are set, with Celery names', () => {
    expect(sendOptionsToSignature({})).toEqual({});
    expect(sendOptionsToSignature({ queue: 'q', priority: 0, ignoreResult: false })).toEqual({
      queue: 'q',
      priority: 0,
      ignore_result: false,
    });
  });

  it('writes dates as ISO strings and keeps expires seconds as a number', () => {
    const eta = new Date('2027-01-01T00:00:00.000Z');
    expect(sendOptionsToSignature({ eta, expires: eta })).toEqual({
      eta: '2027-01-01T00:00:00.000Z',
      expires: '2027-01-01T00:00:00.000Z',
    });
    expect(sendOptionsToSignature({ expires: 30, eta: '2027-01-01T00:00:00' })).toEqual({ expires: 30, eta: '2027-01-01T00:00:00' });
  });

  it('drops a null reply_to', () => {
    expect(sendOptionsToSignature({ replyTo: null })).toEqual({});
    expect(sendOptionsToSignature({ replyTo: 'r' })).toEqual({ reply_to: 'r' });
  });
});

describe('signature options round trip', () => {
  it('reads back every option it writes', () => {
    const options: SendTaskOptions = {
      taskId: 'tid',
      queue: 'q',
      exchange: 'ex',
      routingKey: 'rk',
      countdown: 5,
      eta: '2027-01-01T00:00:00.000Z',
      expires: 60,
      priority: 3,
      headers: { 'x-h': 1 },
      ignoreResult: true,
      timeLimit: 10,
      softTimeLimit: 8,
      shadow: 'sh',
      link: [link],
      linkError: [errback],
      replyTo: 'reply-q',
    };
    const wire = sendOptionsToSignature(options);
    expect(wire).toEqual({
      task_id: 'tid',
      queue: 'q',
      exchange: 'ex',
      routing_key: 'rk',
      countdown: 5,
      eta: '2027-01-01T00:00:00.000Z',
      expires: 60,
      priority: 3,
      headers: { 'x-h': 1 },
      ignore_result: true,
      time_limit: 10,
      soft_time_limit: 8,
      shadow: 'sh',
      link: [link],
      link_error: [errback],
      reply_to: 'reply-q',
    });
    const back = signatureToSendOptions(JSON.parse(JSON.stringify(wire)));
    for (const [key, value] of Object.entries(options)) expect(back[key as keyof SendTaskOptions]).toEqual(value);
  });

  it('round-trips a Date eta as the same instant', () => {
    const eta = new Date('2027-05-06T07:08:09.123Z');
    const back = signatureToSendOptions(sendOptionsToSignature({ eta }));
    expect(new Date(back.eta as string)).toEqual(eta);
  });
});

describe('signatureToSendOptions', () => {
  it('reads workflow ids and the chain that only workers write', () => {
    const chain = [createSignature('proj.next')];
    expect(
      signatureToSendOptions({ parent_id: 'p', root_id: 'r', group_id: 'g', group_index: 2, chain }),
    ).toMatchObject({ parentId: 'p', rootId: 'r', groupId: 'g', groupIndex: 2, chain });
  });

  it('reads kombu entity dicts for queue and exchange', () => {
    const options = signatureToSendOptions({
      queue: { name: 'q1', exchange: { name: 'x' }, routing_key: 'q1' },
      exchange: { name: 'ex1', type: 'direct' },
    });
    expect(options.queue).toBe('q1');
    expect(options.exchange).toBe('ex1');
    expect(signatureToSendOptions({ queue: { durable: true } }).queue).toBeUndefined();
  });

  it('turns a single link or link_error into a list', () => {
    const options = signatureToSendOptions({ link, link_error: errback });
    expect(options.link).toEqual([link]);
    expect(options.linkError).toEqual([errback]);
  });

  it('leaves unset options undefined', () => {
    const options = signatureToSendOptions({});
    expect(Object.values(options).every((v) => v === undefined)).toBe(true);
  });
});
