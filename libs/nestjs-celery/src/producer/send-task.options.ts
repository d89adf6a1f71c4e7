import type { SignatureDict } from '../protocol/signature.js';
import type { TaskRoute } from '../routing/task-route.js';

/** Options of `sendTask` / `applyAsync`, named after Celery's `apply_async` keywords. */
export interface SendTaskOptions extends TaskRoute {
  /** Use this task id instead of a new uuid. */
  taskId?: string;
  /** Run no earlier than this many seconds from now. */
  countdown?: number;
  /** Run no earlier than this time. */
  eta?: Date | string;
  /** Expire (REVOKED, not run) after this many seconds, or at this time. Also sets the AMQP expiration. */
  expires?: number | Date | string;
  /** Message priority (needs a queue with `x-max-priority`). */
  priority?: number;
  /** Extra message headers, like `apply_async(headers=...)`. */
  headers?: Record<string, unknown>;
  /** Do not wait for or store a SUCCESS result (no reply queue traffic for success). */
  ignoreResult?: boolean;
  /** Hard time limit in seconds. */
  timeLimit?: number;
  /** Soft time limit in seconds. */
  softTimeLimit?: number;
  /** Display name for logs and monitoring. */
  shadow?: string;
  /** Tasks to call with the result on success (`link`). */
  link?: SignatureDict | SignatureDict[];
  /** Tasks to call with the task id on failure (`link_error`). */
  linkError?: SignatureDict | SignatureDict[];
  /** 2 = persistent (default), 1 = transient. */
  deliveryMode?: 1 | 2;
  /** Parent task id (set by workers for tasks they send). */
  parentId?: string;
  /** Root task id of the workflow. */
  rootId?: string;
  /** Group id and index, for group members. */
  groupId?: string;
  groupIndex?: number;
  /** Remaining chain steps (reverse order), for chains. */
  chain?: SignatureDict[];
  /** The callback of the chord this task is a header part of (sent by `CeleryClient.chord`). */
  chord?: SignatureDict;
  /** Retry count to write (workers set it when retrying). */
  retries?: number;
  /** Where the result goes; defaults to this client's reply queue. `null` sends no reply_to. */
  replyTo?: string | null;
}
