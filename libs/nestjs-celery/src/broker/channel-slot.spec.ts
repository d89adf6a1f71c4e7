import { describe, expect, it } from '@jest/globals';
import type { Channel } from 'amqplib';
import { ChannelSlot } from './channel-slot.js';

function setup() {
  const opened: Array<{ channel: Channel; forget: () => void }> = [];
  const slot = new ChannelSlot<Channel>((forget) => {
    const channel = { id: opened.length } as unknown as Channel;
    const created = Promise.resolve(channel);
    opened.push({ channel, forget: () => forget(created) });
    return created;
  });
  return { slot, opened };
}

describe('ChannelSlot', () => {
  it('opens once, and keeps the open channel for synchronous use', async () => {
    const { slot, opened } = setup();
    expect(slot.ready).toBeUndefined();
    const first = slot.get();
    expect(slot.get()).toBe(first);
    const channel = await first;
    expect(slot.ready).toBe(channel);
    expect(opened).toHaveLength(1);
  });

  it('forgets a channel that closed, and opens a new one on the next get', async () => {
    const { slot, opened } = setup();
    await slot.get();
    opened[0]!.forget();
    expect(slot.ready).toBeUndefined();
    const second = await slot.get();
    expect(second).toBe(opened[1]!.channel);
    opened[0]!.forget(); // a late close of the old channel leaves the new one alone
    expect(slot.ready).toBe(second);
  });

  it('clear() drops the channel (connection lost)', async () => {
    const { slot } = setup();
    await slot.get();
    slot.clear();
    expect(slot.ready).toBeUndefined();
  });
});
