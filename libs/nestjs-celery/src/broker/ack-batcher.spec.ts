import { describe, expect, it } from '@jest/globals';
import type { Channel, ConsumeMessage } from 'amqplib';
import { AckBatcher } from './ack-batcher.js';

function message(tag: number): ConsumeMessage {
  return { fields: { deliveryTag: tag } } as ConsumeMessage;
}

function setup(fail?: Error, prefetch?: number) {
  const frames: string[] = [];
  const errors: unknown[] = [];
  const channel = {
    ack: (m: ConsumeMessage, multiple: boolean) => {
      if (fail) throw fail;
      frames.push(`ack ${m.fields.deliveryTag}${multiple ? ' multiple' : ''}`);
    },
    reject: (m: ConsumeMessage, requeue: boolean) => {
      if (fail) throw fail;
      frames.push(`reject ${m.fields.deliveryTag}${requeue ? ' requeue' : ''}`);
    },
  } as unknown as Channel;
  const acks = new AckBatcher(channel, (error) => errors.push(error), prefetch);
  return { acks, frames, errors };
}

const tick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('AckBatcher', () => {
  it('sends the acks of one tick as one multiple ack when they follow on from the oldest delivery', async () => {
    const { acks, frames } = setup();
    for (const tag of [3, 1, 2, 4]) acks.ack(message(tag));
    expect(frames).toEqual([]);
    await tick();
    expect(frames).toEqual(['ack 4 multiple']);
  });

  it('acks one by one above a delivery still being worked on, and never covers it with a multiple ack', async () => {
    const { acks, frames } = setup();
    for (const tag of [2, 3, 5]) acks.ack(message(tag));
    await tick();
    expect(frames).toEqual(['ack 2', 'ack 3', 'ack 5']);
    acks.ack(message(1));
    await tick();
    expect(frames.slice(3)).toEqual(['ack 1 multiple']);
    acks.ack(message(4));
    acks.ack(message(6));
    await tick();
    expect(frames.slice(4)).toEqual(['ack 6 multiple']);
  });

  it('rejects at once, and a later multiple ack may pass over the rejected tag', async () => {
    const { acks, frames } = setup();
    acks.ack(message(1));
    acks.reject(message(2), false);
    acks.ack(message(3));
    expect(frames).toEqual(['reject 2']);
    await tick();
    expect(frames).toEqual(['reject 2', 'ack 3 multiple']);
  });

  it('keeps the oldest unsettled tag across many rounds', async () => {
    const { acks, frames } = setup();
    acks.ack(message(2));
    await tick();
    for (let tag = 3; tag <= 100; tag++) acks.ack(message(tag));
    await tick();
    expect(frames.length).toBe(99);
    acks.reject(message(1), true);
    acks.ack(message(101));
    await tick();
    expect(frames.slice(99)).toEqual(['reject 1 requeue', 'ack 101 multiple']);
  });

  it('sends a batch before the end of the tick once a quarter of the prefetch window waits, so the broker can refill the window', async () => {
    const { acks, frames } = setup(undefined, 8);
    acks.ack(message(1));
    expect(frames).toEqual([]);
    acks.ack(message(2));
    expect(frames).toEqual(['ack 2 multiple']);
    acks.ack(message(3));
    await tick();
    expect(frames).toEqual(['ack 2 multiple', 'ack 3 multiple']);
  });

  it('acks every message at once with prefetch 1 to 4, and follows a prefetch change', async () => {
    const { acks, frames } = setup(undefined, 1);
    acks.ack(message(1));
    expect(frames).toEqual(['ack 1 multiple']);
    acks.setPrefetch(12);
    for (const tag of [2, 3]) acks.ack(message(tag));
    expect(frames).toEqual(['ack 1 multiple']);
    acks.ack(message(4));
    expect(frames).toEqual(['ack 1 multiple', 'ack 4 multiple']);
    await tick();
    expect(frames.length).toBe(2);
  });

  it('batches at most 64 acks with an unlimited prefetch (0) or a large one', () => {
    for (const prefetch of [0, 10_000]) {
      const { acks, frames } = setup(undefined, prefetch);
      for (let tag = 1; tag <= 130; tag++) acks.ack(message(tag));
      expect(frames).toEqual(['ack 64 multiple', 'ack 128 multiple']);
    }
  });

  it('flush() sends what is pending now', () => {
    const { acks, frames } = setup();
    acks.ack(message(1));
    acks.flush();
    expect(frames).toEqual(['ack 1 multiple']);
  });

  it('does nothing once its channel closed', async () => {
    const { acks, frames } = setup();
    acks.ack(message(1));
    acks.close();
    acks.ack(message(2));
    acks.reject(message(3), true);
    await tick();
    expect(frames).toEqual([]);
  });

  it('reports channel errors instead of throwing them', async () => {
    const failure = new Error('Channel closed');
    const { acks, errors } = setup(failure);
    acks.ack(message(1));
    await tick();
    acks.reject(message(2), false);
    expect(errors).toEqual([failure, failure]);
  });
});
