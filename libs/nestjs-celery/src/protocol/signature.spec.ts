import { describe, expect, it } from '@jest/globals';
import { loadVector } from '../../test/vectors/load-vectors.js';
import { createSignature, entityName, isSignatureDict, mergeSignatureArgs, type SignatureDict } from './signature.js';

describe('createSignature', () => {
  it('builds the six-key dict of task.s() with defaults', () => {
    const sig = createSignature('t.add');
    expect(sig).toEqual({ task: 't.add', args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false });
    expect(Object.keys(sig)).toEqual(['task', 'args', 'kwargs', 'options', 'subtask_type', 'immutable']);
  });

  it('matches the captured link signature (whoami.s())', () => {
    const [, , embed] = loadVector('task-v2-all-options').body as [unknown, unknown, { callbacks: SignatureDict[] }];
    expect(createSignature('capture_tasks.whoami')).toEqual(embed.callbacks[0]);
  });

  it('matches a captured chain step (frozen with task_id and reply_to)', () => {
    const [, , embed] = loadVector('task-v2-chain').body as [unknown, unknown, { chain: SignatureDict[] }];
    const step = embed.chain[0]!;
    expect(createSignature('capture_tasks.add', [4], {}, { task_id: step.options.task_id, reply_to: step.options.reply_to })).toEqual(step);
  });

  it('takes args, kwargs, options and immutable (.si())', () => {
    expect(createSignature('t', [1], { k: 2 }, { queue: 'q', countdown: 5 }, true)).toEqual({
      task: 't',
      args: [1],
      kwargs: { k: 2 },
      options: { queue: 'q', countdown: 5 },
      subtask_type: null,
      immutable: true,
    });
  });
});

describe('mergeSignatureArgs (Signature._merge)', () => {
  it('prepends the parent result for a mutable signature', () => {
    expect(mergeSignatureArgs(createSignature('t', [4]), [3])).toEqual([3, 4]);
    expect(mergeSignatureArgs(createSignature('t'), ['r'])).toEqual(['r']);
    expect(mergeSignatureArgs(createSignature('t', [1, 2]), [])).toEqual([1, 2]);
  });

  it('leaves an immutable signature unchanged', () => {
    const sig = createSignature('t', [4], {}, {}, true);
    expect(mergeSignatureArgs(sig, [3])).toEqual([4]);
  });

  it('errback call style: the failed task id goes first', () => {
    expect(mergeSignatureArgs(createSignature('t.on_err'), ['2c5b4bc0-failed'])).toEqual(['2c5b4bc0-failed']);
  });

  it('never mutates the signature or the parent args', () => {
    const sig = createSignature('t', [4]);
    const parent = [3];
    const merged = mergeSignatureArgs(sig, parent);
    merged.push(99);
    expect(sig.args).toEqual([4]);
    expect(parent).toEqual([3]);
  });

  it('treats missing or malformed args as none', () => {
    const loose = { task: 't', kwargs: {}, options: {}, subtask_type: null, immutable: false } as unknown as SignatureDict;
    expect(mergeSignatureArgs(loose, [1])).toEqual([1]);
    expect(mergeSignatureArgs({ ...loose, args: 'x' as unknown as unknown[] }, [1])).toEqual([1]);
    expect(mergeSignatureArgs({ ...loose, immutable: true }, [1])).toEqual([]);
  });
});

describe('isSignatureDict', () => {
  it.each<[unknown, boolean]>([
    [createSignature('t'), true],
    [{ task: 'celery.group', kwargs: { tasks: [] }, subtask_type: 'group' }, true],
    [{ task: 1 }, false],
    [{ args: [] }, false],
    [null, false],
    ['t.add', false],
    [[{ task: 't' }], false],
  ])('%p -> %p', (value, expected) => {
    expect(isSignatureDict(value)).toBe(expected);
  });
});

describe('entityName', () => {
  it('reads a plain name or a kombu entity dict', () => {
    expect(entityName('celery')).toBe('celery');
    expect(entityName({ name: 'other_q', durable: true })).toBe('other_q');
  });

  it('is undefined otherwise', () => {
    expect(entityName(undefined)).toBeUndefined();
    expect(entityName({ durable: true })).toBeUndefined();
    expect(entityName({ name: 5 } as unknown as { name: string })).toBeUndefined();
    expect(entityName('')).toBe('');
  });
});
