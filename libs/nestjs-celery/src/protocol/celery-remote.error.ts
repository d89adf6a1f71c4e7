import { isExceptionInfo, type ExceptionInfo } from './exception-info.js';

/**
 * An exception raised by a remote task (Python or Node), rebuilt from its result.
 * Catch it to read the remote type, module, arguments and traceback.
 */
export class CeleryRemoteError extends Error {
  override name = 'CeleryRemoteError';
  /** The remote exception class, e.g. `ValueError`. */
  readonly excType: string;
  /** The remote exception's module, e.g. `builtins`, `celery.exceptions`, `nodejs`. */
  readonly excModule: string;
  /** The remote exception's arguments (`exc.args`). */
  readonly excArgs: unknown[];
  /**
   * The remote message: the single string argument, or the `message` of a single object argument
   * (a Nest `HttpException` response or `RpcException` data; a list of messages, such as a
   * `ValidationPipe`'s violations, joined with `; `), or the arguments joined.
   */
  readonly excMessage: string;
  /** The remote traceback text, when the worker sent one. */
  readonly traceback: string | null;
  /** Id of the task that failed. */
  readonly taskId: string;

  constructor(taskId: string, info: ExceptionInfo, traceback: string | null = null) {
    // Python splats a list into the constructor and passes anything else as the one argument;
    // a missing exc_message means no arguments.
    const raw: unknown = info.exc_message;
    const args = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    const excMessage = (args.length === 1 ? messageOf(args[0]) : undefined) ?? args.map(formatArg).join(', ');
    super(`${info.exc_type}: ${excMessage}`);
    this.taskId = taskId;
    this.excType = info.exc_type;
    this.excModule = info.exc_module ?? 'builtins';
    this.excArgs = args;
    this.excMessage = excMessage;
    this.traceback = traceback;
  }
}

/** The `message` of an object argument: a string, or a list of strings joined with `; `. */
function messageOf(arg: unknown): string | undefined {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) return undefined;
  const { message } = arg as { message?: unknown };
  if (typeof message === 'string') return message;
  if (Array.isArray(message) && message.length > 0 && message.every((m) => typeof m === 'string')) return message.join('; ');
  return undefined;
}

/** One exception argument as text: strings as they are, anything else as JSON. */
function formatArg(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  try {
    return JSON.stringify(arg) ?? String(arg);
  } catch {
    return String(arg);
  }
}

/** The task was revoked, or expired before it ran (Celery's `TaskRevokedError`). */
export class CeleryTaskRevokedError extends CeleryRemoteError {
  override name = 'CeleryTaskRevokedError';
}

/** No worker that received the task knows its name (Celery's `NotRegistered`). */
export class CeleryNotRegisteredError extends CeleryRemoteError {
  override name = 'CeleryNotRegisteredError';
}

/** Builds the most specific remote error class for a FAILURE or REVOKED result. */
export function toRemoteError(taskId: string, result: unknown, traceback: string | null): CeleryRemoteError {
  const info: ExceptionInfo = isExceptionInfo(result)
    ? result
    : { exc_type: 'Exception', exc_message: [result], exc_module: 'builtins' };
  if (info.exc_type === 'TaskRevokedError') return new CeleryTaskRevokedError(taskId, info, traceback);
  if (info.exc_type === 'NotRegistered') return new CeleryNotRegisteredError(taskId, info, traceback);
  return new CeleryRemoteError(taskId, info, traceback);
}
