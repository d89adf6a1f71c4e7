import { randomUUID } from 'node:crypto';
import { isSignatureDict, type SignatureDict } from '../protocol/signature.js';
import { ChordsNotSupportedError } from '../results/results.errors.js';
import { sendSignature, type SignatureApplication } from './signature-call.js';
import type { TaskProducer } from './task-producer.js';

/** Writes a chord's header size (`set_chord_size`); only a backend that keeps chords (Redis) has one. */
export type ChordSizeWriter = (groupId: string, size: number) => Promise<void>;

/** Ids of an applied group or chord. */
export interface AppliedCanvas {
  /** The group id every header task carries. */
  groupId: string;
  /** The header tasks' ids, in order. */
  taskIds: string[];
  /** The chord callback's id (chords only). */
  bodyId?: string;
}

/** True for Celery's `group` signature dict (`celery.group`, `subtask_type: 'group'`). */
export function isGroupSignature(signature: SignatureDict): boolean {
  return signature.subtask_type === 'group' || signature.task === 'celery.group';
}

/** True for Celery's `chord` signature dict (`celery.chord`, `subtask_type: 'chord'`). */
export function isChordSignature(signature: SignatureDict): boolean {
  return signature.subtask_type === 'chord' || signature.task === 'celery.chord';
}

/** A group's members and its frozen id: from a group dict (`kwargs.tasks`), or a plain list of signatures (5.2's chord header). */
export function groupParts(header: unknown): { groupId?: string; members: SignatureDict[] } {
  if (Array.isArray(header)) return { members: header.filter(isSignatureDict) };
  if (isSignatureDict(header)) {
    const tasks = (header.kwargs as { tasks?: unknown }).tasks;
    const groupId = typeof header.options?.task_id === 'string' ? header.options.task_id : undefined;
    return { groupId, members: Array.isArray(tasks) ? tasks.filter(isSignatureDict) : [] };
  }
  return { members: [] };
}

/** Builds Celery's `group` signature dict (what `group(...)` serializes to). */
export function groupSignature(members: SignatureDict[], groupId?: string): SignatureDict {
  return { task: 'celery.group', args: [], kwargs: { tasks: members }, options: groupId ? { task_id: groupId } : {}, subtask_type: 'group', immutable: false };
}

/** Builds Celery's `chord` signature dict (what `chord(header, body)` serializes to). */
export function chordSignature(header: SignatureDict[], body: SignatureDict): SignatureDict {
  return { task: 'celery.chord', args: [], kwargs: { kwargs: {}, header, body }, options: {}, subtask_type: 'chord', immutable: false };
}

/**
 * Sends the members of a group as `group.apply_async` does: one message each with the group id
 * and its `group_index`, the partial args (a chain's previous result) put first.
 */
export async function applyGroup(producer: TaskProducer, group: SignatureDict | SignatureDict[], application: SignatureApplication = {}): Promise<AppliedCanvas> {
  const { groupId = randomUUID(), members } = groupParts(group);
  const taskIds: string[] = [];
  for (const [index, member] of members.entries()) {
    taskIds.push(await sendSignature(producer, member, { ...application, groupId, groupIndex: index }));
  }
  return { groupId, taskIds };
}

/**
 * Runs a chord as `chord.run` does on a backend with native chords: `set_chord_size` first, then
 * every header task with the group id, its `group_index` and the callback as `chord`; the worker
 * that stores the last header result sends the callback. An empty header sends the callback at
 * once with `[]`.
 * @throws ChordsNotSupportedError without a chord-keeping backend (rpc://), as Celery raises then
 */
export async function applyChord(
  producer: TaskProducer,
  header: SignatureDict | SignatureDict[],
  body: SignatureDict,
  setChordSize: ChordSizeWriter | undefined,
  application: SignatureApplication = {},
): Promise<AppliedCanvas> {
  if (!setChordSize) throw new ChordsNotSupportedError('rpc');
  const { groupId = randomUUID(), members } = groupParts(header);
  const bodyId = typeof body.options?.task_id === 'string' ? body.options.task_id : randomUUID();
  // Chain steps after the chord follow its callback.
  const rest = application.chain?.length ? { chain: application.chain } : {};
  const frozenBody: SignatureDict = { ...body, options: { ...body.options, task_id: bodyId, ...rest } };
  if (members.length === 0) {
    await sendSignature(producer, frozenBody, { args: [[]], rootId: application.rootId, parentId: application.parentId });
    return { groupId, taskIds: [], bodyId };
  }
  await setChordSize(groupId, members.length);
  const taskIds: string[] = [];
  for (const [index, member] of members.entries()) {
    taskIds.push(await sendSignature(producer, member, { ...application, chain: undefined, groupId, groupIndex: index, chord: frozenBody }));
  }
  return { groupId, taskIds, bodyId };
}

/**
 * Applies one canvas step (a chain's next step): a chord or a group natively, any other
 * signature as a task. Resolves with the id the step's result is known by.
 */
export async function applyCanvasStep(
  producer: TaskProducer,
  step: SignatureDict,
  application: SignatureApplication,
  setChordSize: ChordSizeWriter | undefined,
): Promise<string> {
  if (isChordSignature(step)) {
    const { header, body } = step.kwargs as { header?: unknown; body?: unknown };
    if (!isSignatureDict(body)) return sendSignature(producer, step, application);
    const members = groupParts(header).members;
    const applied = await applyChord(producer, Array.isArray(header) ? members : (header as SignatureDict), body, setChordSize, {
      ...application,
      args: step.immutable ? [] : application.args,
    });
    return applied.bodyId!;
  }
  if (isGroupSignature(step)) return (await applyGroup(producer, step, application)).groupId;
  return sendSignature(producer, step, application);
}
