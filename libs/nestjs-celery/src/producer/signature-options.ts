import type { SendTaskOptions } from './send-task.options.js';
import { entityName, type SignatureDict, type SignatureOptions } from '../protocol/signature.js';

function asList(value: SignatureDict | SignatureDict[] | undefined): SignatureDict[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

/** Reads a signature's wire `options` as {@link SendTaskOptions}. */
export function signatureToSendOptions(options: SignatureOptions): SendTaskOptions {
  const exchange = entityName(options.exchange);
  return {
    taskId: options.task_id,
    queue: entityName(options.queue),
    exchange,
    routingKey: options.routing_key,
    countdown: options.countdown,
    eta: options.eta,
    expires: options.expires,
    priority: options.priority,
    headers: options.headers,
    ignoreResult: options.ignore_result,
    timeLimit: options.time_limit,
    softTimeLimit: options.soft_time_limit,
    shadow: options.shadow,
    link: asList(options.link),
    linkError: asList(options.link_error),
    parentId: options.parent_id,
    rootId: options.root_id,
    groupId: options.group_id,
    groupIndex: options.group_index,
    chain: options.chain,
    replyTo: options.reply_to,
    deliveryMode: options.delivery_mode === 1 || options.delivery_mode === 2 ? options.delivery_mode : undefined,
  };
}

/** Writes {@link SendTaskOptions} as a signature's wire `options` (only the keys that are set). */
export function sendOptionsToSignature(options: SendTaskOptions): SignatureOptions {
  const out: SignatureOptions = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) out[key] = value;
  };
  set('task_id', options.taskId);
  set('queue', options.queue);
  set('exchange', options.exchange);
  set('routing_key', options.routingKey);
  set('countdown', options.countdown);
  set('eta', options.eta instanceof Date ? options.eta.toISOString() : options.eta);
  set('expires', options.expires instanceof Date ? options.expires.toISOString() : options.expires);
  set('priority', options.priority);
  set('headers', options.headers);
  set('ignore_result', options.ignoreResult);
  set('time_limit', options.timeLimit);
  set('soft_time_limit', options.softTimeLimit);
  set('shadow', options.shadow);
  set('link', options.link);
  set('link_error', options.linkError);
  set('reply_to', options.replyTo ?? undefined);
  set('delivery_mode', options.deliveryMode);
  return out;
}
