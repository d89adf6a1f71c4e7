import { randomUUID } from 'node:crypto';
import { mergeSignatureArgs, type SignatureDict } from '../protocol/signature.js';
import type { SendTaskOptions } from './send-task.options.js';
import { signatureToSendOptions } from './signature-options.js';
import type { TaskProducer } from './task-producer.js';

/** Workflow links added when a signature is applied (chain step, callback, errback). */
export interface SignatureApplication {
  /** Arguments put before the signature's own (the parent's return value, or the failed task id). */
  args?: unknown[];
  parentId?: string;
  rootId?: string;
  groupId?: string;
  /** Position in the group (`group_index`), for chord header parts. */
  groupIndex?: number;
  /** The chord callback, for chord header parts. */
  chord?: SignatureDict;
  /** Reply queue to use when the signature has none of its own. */
  replyTo?: string | null;
  /** Remaining chain steps, for the next chain step. */
  chain?: SignatureDict[];
  /** Ignore the signature's frozen task id (Celery does for errbacks). */
  newId?: boolean;
}

/**
 * Sends `signature` with the links of `application`, through the routers like any call, and
 * resolves with the task id once the broker confirmed it.
 * @throws CeleryInvalidCallError for a signature that cannot be sent (nothing is sent)
 */
export async function sendSignature(producer: TaskProducer, signature: SignatureDict, application: SignatureApplication = {}): Promise<string> {
  const name = signature.task;
  const options = signatureToSendOptions(signature.options ?? {});
  const args = mergeSignatureArgs(signature, application.args ?? []);
  const kwargs = typeof signature.kwargs === 'object' && signature.kwargs !== null && !Array.isArray(signature.kwargs) ? signature.kwargs : {};
  const taskId = (application.newId ? undefined : options.taskId) ?? randomUUID();
  // Object.assign rather than a spread with extra keys, which V8 turns into a slow dictionary object.
  const applied: SendTaskOptions = Object.assign({}, options, {
    taskId,
    parentId: application.parentId ?? options.parentId,
    rootId: application.rootId ?? options.rootId,
    groupId: application.groupId ?? options.groupId,
    groupIndex: application.groupIndex ?? options.groupIndex,
    chord: application.chord ?? options.chord,
    chain: application.chain ?? options.chain,
    replyTo: options.replyTo !== undefined ? options.replyTo : application.replyTo,
  });
  await producer.send(name, args, kwargs, producer.route(name, args, kwargs, applied));
  return taskId;
}
