import { describe, expect, it } from '@jest/globals';
import { decodeEnvelope, encodeEnvelope, envelopePriority, InvalidEnvelopeError } from './kombu-envelope.js';

/** A task message as Celery 5.2.6 / kombu 5.2.4 wrote it to Redis (LRANGE celery 0 -1). */
const CELERY_526 =
  '{"body": "W1sxLCAyXSwge30sIHsiY2FsbGJhY2tzIjogbnVsbCwgImVycmJhY2tzIjogbnVsbCwgImNoYWluIjogbnVsbCwgImNob3JkIjogbnVsbH1d", ' +
  '"content-encoding": "utf-8", "content-type": "application/json", "headers": {"lang": "py", "task": "t.add", ' +
  '"id": "eba9cd3b-9865-4e5b-8b90-21679133843e", "root_id": "eba9cd3b-9865-4e5b-8b90-21679133843e", "retries": 0}, ' +
  '"properties": {"correlation_id": "eba9cd3b-9865-4e5b-8b90-21679133843e", "reply_to": "b503d21a-b80f-39fe-8421-2c52bc52f87b", ' +
  '"delivery_mode": 2, "expiration": "60000", "delivery_info": {"exchange": "", "routing_key": "celery"}, "priority": 0, ' +
  '"body_encoding": "base64", "delivery_tag": "273379c1-d6ad-48a1-9bea-ea917f2590c7"}}';

const reasonOf = (raw: string) => {
  try {
    decodeEnvelope(raw);
    return 'decoded';
  } catch (error) {
    return error instanceof InvalidEnvelopeError ? error.reason : 'other';
  }
};

describe('kombu envelope', () => {
  it("decodes Celery 5.2.6's message: body, AMQP properties, delivery info", () => {
    const { content, properties, envelope } = decodeEnvelope(CELERY_526);
    expect(JSON.parse(content.toString())).toEqual([[1, 2], {}, { callbacks: null, errbacks: null, chain: null, chord: null }]);
    expect(properties).toMatchObject({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      correlationId: 'eba9cd3b-9865-4e5b-8b90-21679133843e',
      replyTo: 'b503d21a-b80f-39fe-8421-2c52bc52f87b',
      deliveryMode: 2,
      expiration: '60000',
      headers: { task: 't.add', lang: 'py' },
    });
    expect(envelope.properties.delivery_info).toEqual({ exchange: '', routing_key: 'celery' });
  });

  it('encodes what it decodes, with a fresh UUID delivery tag and base64 body', () => {
    const envelope = encodeEnvelope('ex', 'rk', Buffer.from('{"x":1}'), { contentType: 'application/json', headers: { task: 't' }, priority: 5, replyTo: 'r', persistent: true });
    expect(envelope).toMatchObject({ body: 'eyJ4IjoxfQ==', 'content-type': 'application/json', headers: { task: 't' } });
    expect(envelope.properties).toMatchObject({ delivery_info: { exchange: 'ex', routing_key: 'rk' }, body_encoding: 'base64', priority: 5, reply_to: 'r', delivery_mode: 2 });
    expect(envelopePriority(envelope)).toBe(5);
    const back = decodeEnvelope(JSON.stringify(envelope));
    expect(back.content.toString()).toBe('{"x":1}');
    expect(back.properties.replyTo).toBe('r');
  });

  it('refuses what it cannot read, with a reason', () => {
    expect(reasonOf('not json')).toBe('invalid-envelope');
    expect(reasonOf('[1,2]')).toBe('invalid-envelope');
    expect(reasonOf('{"body":"e30="}')).toBe('invalid-envelope');
    expect(reasonOf('{"body":"!!","properties":{"delivery_tag":"t","body_encoding":"base64"}}')).toBe('invalid-body-encoding');
    expect(reasonOf('{"body":"e30=","properties":{"delivery_tag":"t","body_encoding":"rot13"}}')).toBe('invalid-body-encoding');
    expect(reasonOf('{"body":"{}","properties":{"delivery_tag":"t"}}')).toBe('decoded');
  });
});
