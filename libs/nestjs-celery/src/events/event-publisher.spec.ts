import { describe, expect, it } from '@jest/globals';
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsDate, IsInt, ValidateNested } from 'class-validator';
import { RecordingBroker } from '../../test/support/recording-broker.js';
import { CeleryEvent } from '../decorators/celery-event.decorator.js';
import { EventNotDecoratedError, InvalidEventError } from './event.errors.js';
import { EventPublisher } from './event-publisher.js';

class Line {
  @IsInt() quantity!: number;
}

@CeleryEvent({ exchange: 'order', routingKey: 'order.v1.submit' })
class Submitted {
  @ValidateNested({ each: true }) @Type(() => Line) lines!: Line[];
  @IsDate() @Type(() => Date) at!: Date;
}

function submitted(quantity: unknown): Submitted {
  return Object.assign(new Submitted(), { lines: [{ quantity }], at: new Date('2026-01-01T00:00:00Z') });
}

describe('EventPublisher', () => {
  it('publishes a Celery v2 task message named after the routing key, args [payload], on the topic exchange', async () => {
    const broker = new RecordingBroker();
    const publisher = new EventPublisher(broker.asBroker(), 'origin@test');
    const id = await publisher.publish(submitted(2), { headers: { trace: 't-1' } });
    await publisher.publish(submitted(3));

    expect(broker.declared).toEqual([{ exchanges: [{ name: 'order', type: 'topic', durable: true, autoDelete: false }] }]);
    expect(broker.published).toHaveLength(2);
    const [first] = broker.published;
    expect(first).toMatchObject({ exchange: 'order', routingKey: 'order.v1.submit' });
    expect(first!.options.headers).toEqual({ task: 'order.v1.submit', id, root_id: id, ignore_result: true, trace: 't-1' });
    expect(first!.options.replyTo).toBeUndefined();
    expect(first!.options.deliveryMode).toBe(2);
    expect(JSON.parse(first!.content.toString())).toEqual([
      [{ lines: [{ quantity: 2 }], at: '2026-01-01T00:00:00.000Z' }],
      {},
      {},
    ]);
  });

  it("writes Celery's 16 headers with wireHeaders 'full'", async () => {
    const broker = new RecordingBroker();
    const publisher = new EventPublisher(broker.asBroker(), 'origin@test', 'full');
    const id = await publisher.publish(submitted(2));
    expect(broker.published[0]!.options.headers).toMatchObject({ lang: 'py', task: 'order.v1.submit', id, root_id: id, origin: 'origin@test' });
  });

  it('validates first (nested plain objects included): invalid events throw InvalidEventError and send nothing', async () => {
    const broker = new RecordingBroker();
    const publisher = new EventPublisher(broker.asBroker());
    const error = await publisher.publish(submitted('2')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error).toMatchObject({ event: 'order.v1.submit', violations: [expect.stringMatching(/^lines\.0\.quantity: /)] });
    expect(broker.published).toHaveLength(0);
  });

  it('judges every event alike once its class went the read-back way (plain nested lines first, then instances)', async () => {
    const broker = new RecordingBroker();
    const publisher = new EventPublisher(broker.asBroker());
    await publisher.publish(submitted(1)); // nested plain object: valid only as the consumer reads it
    await expect(publisher.publish(submitted('1'))).rejects.toMatchObject({ violations: [expect.stringMatching(/^lines\.0\.quantity: /)] });
    const withInstances = Object.assign(new Submitted(), { lines: [Object.assign(new Line(), { quantity: 5 })], at: new Date(0) });
    await publisher.publish(withInstances);
    await expect(publisher.publish(Object.assign(new Submitted(), { lines: [], at: 'not a date' }))).rejects.toThrow(InvalidEventError);
    expect(broker.published.map((m) => JSON.parse(m.content.toString())[0][0].lines)).toEqual([[{ quantity: 1 }], [{ quantity: 5 }]]);
  });

  it('throws InvalidEventError, sending nothing, when class-transformer cannot write the event', async () => {
    abstract class Method {}
    class Card extends Method {
      @IsInt() last4!: number;
    }
    @CeleryEvent({ exchange: 'pay', routingKey: 'pay.v1.done' })
    class Paid {
      @ValidateNested()
      @Type(() => Method, { discriminator: { property: 'kind', subTypes: [{ value: Card, name: 'card' }] } })
      method!: Method;
    }
    const broker = new RecordingBroker();
    const publisher = new EventPublisher(broker.asBroker());
    // A plain object is none of the sub-types: class-transformer's instanceToPlain throws a TypeError.
    const error = await publisher.publish(Object.assign(new Paid(), { method: { kind: 'card', last4: 1234 } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error).toMatchObject({ event: 'pay.v1.done', violations: [expect.stringMatching(/^event cannot be written as Paid payload: /)] });
    expect(broker.published).toHaveLength(0);
    await publisher.publish(Object.assign(new Paid(), { method: Object.assign(new Card(), { last4: 1234 }) }));
    expect(JSON.parse(broker.published[0]!.content.toString())[0][0]).toEqual({ method: { last4: 1234, kind: 'card' } });
  });

  it('refuses objects that are not event contracts', async () => {
    const publisher = new EventPublisher(new RecordingBroker().asBroker());
    await expect(publisher.publish({ orderId: 'x' })).rejects.toThrow(EventNotDecoratedError);
  });
});
