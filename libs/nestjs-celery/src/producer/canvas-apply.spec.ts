import { describe, expect, it, jest } from '@jest/globals';
import { RecordingBroker } from '../../test/support/recording-broker.js';
import { createSignature } from '../protocol/signature.js';
import { decodeDelivery } from '../protocol/task-message.decoder.js';
import { ChordsNotSupportedError } from '../results/results.errors.js';
import { applyCanvasStep, applyChord, chordSignature, groupSignature } from './canvas-apply.js';
import { TaskProducer } from './task-producer.js';

function setup() {
  const broker = new RecordingBroker();
  const producer = new TaskProducer(broker.asBroker(), 'celery', 'nest@host');
  const sent = () => broker.published.map((p) => decodeDelivery(p.content, p.options));
  return { broker, producer, sent };
}

describe('applyChord', () => {
  it('writes the chord size first, then each header task with the group id, its group_index and the callback', async () => {
    const { broker, producer, sent } = setup();
    const publishedBeforeSize: number[] = [];
    const setSize = jest.fn(async (_gid: string, _n: number) => void publishedBeforeSize.push(broker.published.length));
    const body = createSignature('t.sum', [], {}, { task_id: 'body-id' });
    const applied = await applyChord(producer, [createSignature('t.a', [1]), createSignature('t.b', [2])], body, setSize);
    expect(setSize).toHaveBeenCalledWith(applied.groupId, 2);
    expect(publishedBeforeSize).toEqual([0]);
    const tasks = sent();
    expect(tasks.map((t) => [t.task, t.group, t.groupIndex, t.embed.chord?.task, t.embed.chord?.options.task_id])).toEqual([
      ['t.a', applied.groupId, 0, 't.sum', 'body-id'],
      ['t.b', applied.groupId, 1, 't.sum', 'body-id'],
    ]);
    expect(applied.bodyId).toBe('body-id');
  });

  it('sends the callback at once with [] for an empty header', async () => {
    const { producer, sent } = setup();
    await applyChord(producer, [], createSignature('t.sum'), async () => undefined);
    expect(sent().map((t) => [t.task, t.args])).toEqual([['t.sum', [[]]]]);
  });

  it('throws ChordsNotSupportedError without a chord-keeping backend, sending nothing', async () => {
    const { producer, sent } = setup();
    await expect(applyChord(producer, [createSignature('t.a')], createSignature('t.sum'), undefined)).rejects.toBeInstanceOf(ChordsNotSupportedError);
    expect(sent()).toEqual([]);
  });
});

describe('applyCanvasStep (a chain step)', () => {
  it("applies Celery's chord dict (5.2's header list) with the previous result first, the rest of the chain on the callback", async () => {
    const { producer, sent } = setup();
    const step = chordSignature([createSignature('t.mul', [10]), createSignature('t.mul', [100])], createSignature('t.sum', [], {}, { task_id: 'cb' }));
    const rest = [createSignature('t.last')];
    const id = await applyCanvasStep(producer, step, { args: [3], chain: rest }, async () => undefined);
    expect(id).toBe('cb');
    const tasks = sent();
    expect(tasks.map((t) => [t.task, t.args, t.embed.chain])).toEqual([
      ['t.mul', [3, 10], null],
      ['t.mul', [3, 100], null],
    ]);
    expect(tasks[0]!.embed.chord!.options.chain).toEqual(rest);
  });

  it('applies a group dict: members with the group id and index', async () => {
    const { producer, sent } = setup();
    const id = await applyCanvasStep(producer, groupSignature([createSignature('t.a'), createSignature('t.b')], 'gid'), { args: [1] }, undefined);
    expect(id).toBe('gid');
    expect(sent().map((t) => [t.task, t.args, t.group, t.groupIndex])).toEqual([
      ['t.a', [1], 'gid', 0],
      ['t.b', [1], 'gid', 1],
    ]);
  });
});
