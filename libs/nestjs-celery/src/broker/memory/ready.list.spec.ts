import { describe, expect, it } from '@jest/globals';
import { QueuedMessage } from './queued-message.js';
import { ReadyList } from './ready.list.js';

const message = (seq: number, priority = 0) => new QueuedMessage(Buffer.alloc(0), {} as never, '', 'q', seq, priority, Infinity);

describe('ReadyList', () => {
  it('keeps arrival order, puts a requeued message back at its place, and higher priorities first', () => {
    const list = new ReadyList();
    for (let seq = 0; seq < 5; seq++) list.add(message(seq));
    const first = list.shift()!;
    const second = list.shift()!;
    list.add(second);
    list.add(first);
    expect(list.toArray().map((m) => m.seq)).toEqual([0, 1, 2, 3, 4]);
    list.add(message(5, 9));
    list.add(message(6, 3));
    expect(list.toArray().map((m) => m.seq)).toEqual([5, 6, 0, 1, 2, 3, 4]);
    expect(list.length).toBe(7);
  });

  it('stays consistent over many shifts (compaction) and removeWhere', () => {
    const list = new ReadyList();
    for (let seq = 0; seq < 5000; seq++) list.add(message(seq));
    for (let i = 0; i < 3000; i++) expect(list.shift()!.seq).toBe(i);
    list.add(message(10));
    expect(list.shift()!.seq).toBe(10);
    expect(list.removeWhere((m) => m.seq % 2 === 0)).toHaveLength(1000);
    expect(list.length).toBe(1000);
    expect(list.shift()!.seq).toBe(3001);
    expect(list.removeWhere(() => true)).toHaveLength(999);
    expect(list.shift()).toBeUndefined();
  });
});
