import { inspect } from 'node:util';
import { toCeleryJsonData } from './celery-json.encoder.js';

/** How Celery serializes an exception in a result (`prepare_exception` with JSON). */
export interface ExceptionInfo {
  exc_type: string;
  exc_message: unknown[];
  exc_module: string;
}

/** Module name used for JavaScript errors that have no Python builtin of the same name. */
export const NODE_EXCEPTION_MODULE = 'nodejs';

/**
 * Python builtin exception names. A JS error whose `name` is one of these travels with
 * `exc_module: "builtins"`, so Python's `except ValueError:` catches it.
 */
export const PYTHON_BUILTIN_EXCEPTIONS: ReadonlySet<string> = new Set([
  'ArithmeticError', 'AssertionError', 'AttributeError', 'BaseException', 'BlockingIOError',
  'BrokenPipeError', 'BufferError', 'ConnectionAbortedError', 'ConnectionError',
  'ConnectionRefusedError', 'ConnectionResetError', 'EOFError', 'Exception', 'FileExistsError',
  'FileNotFoundError', 'FloatingPointError', 'ImportError', 'IndexError', 'InterruptedError',
  'IsADirectoryError', 'KeyError', 'LookupError', 'MemoryError', 'ModuleNotFoundError', 'NameError',
  'NotADirectoryError', 'NotImplementedError', 'OSError', 'OverflowError', 'PermissionError',
  'ProcessLookupError', 'RecursionError', 'ReferenceError', 'RuntimeError', 'StopIteration',
  'SyntaxError', 'SystemError', 'TimeoutError', 'TypeError', 'UnicodeDecodeError',
  'UnicodeEncodeError', 'UnicodeError', 'ValueError', 'ZeroDivisionError',
]);

/** Celery's exception classes a Node worker may produce, with their Python module. */
export const CELERY_EXCEPTION_MODULE = 'celery.exceptions';

/** Celery's `TaskRevokedError(reason)`, the result of a revoked, expired or terminated task. */
export function taskRevokedInfo(reason: 'revoked' | 'expired' | 'terminated'): ExceptionInfo {
  return { exc_type: 'TaskRevokedError', exc_message: [reason], exc_module: CELERY_EXCEPTION_MODULE };
}

/** Celery's `NotRegistered(name)`, the result of a task no handler is registered for. */
export function notRegisteredInfo(taskName: string): ExceptionInfo {
  return { exc_type: 'NotRegistered', exc_message: [taskName], exc_module: CELERY_EXCEPTION_MODULE };
}

/** Anything that carries its Python identity explicitly (e.g. a {@link CeleryRemoteError} passed along). */
interface PythonIdentity {
  excType?: unknown;
  excModule?: unknown;
  excArgs?: unknown;
}

/**
 * Serializes a thrown value the way a Python worker would: builtin names keep `builtins`,
 * other JS errors get {@link NODE_EXCEPTION_MODULE}, `exc_message` is always an array.
 * An error may set `excType`, `excModule` and `excArgs` to choose its Python identity;
 * `args` (e.g. the response of a Nest `HttpException`) overrides the arguments.
 * Arguments are written by Celery JSON's value rules; one that cannot be written becomes its
 * text, as Celery's `ensure_serializable` puts the `repr` in its place.
 */
export function toExceptionInfo(error: unknown, args?: unknown[]): ExceptionInfo {
  if (error instanceof Error) {
    const identity = error as Error & PythonIdentity;
    const excType = typeof identity.excType === 'string' ? identity.excType : error.name || 'Error';
    const excModule =
      typeof identity.excModule === 'string'
        ? identity.excModule
        : PYTHON_BUILTIN_EXCEPTIONS.has(excType)
          ? 'builtins'
          : NODE_EXCEPTION_MODULE;
    const excArgs = args ?? (Array.isArray(identity.excArgs) ? identity.excArgs : error.message ? [error.message] : []);
    return { exc_type: excType, exc_message: excArgs.map(serializableArg), exc_module: excModule };
  }
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return { exc_type: 'Exception', exc_message: [(error as { message: string }).message], exc_module: 'builtins' };
  }
  return { exc_type: 'Exception', exc_message: [safeString(error)], exc_module: 'builtins' };
}

/** An exception argument as JSON data, or its text when it cannot be written (Celery's `ensure_serializable`). */
function serializableArg(arg: unknown): unknown {
  if (typeof arg === 'string' || typeof arg === 'number' || typeof arg === 'boolean' || arg === null) return arg;
  try {
    return toCeleryJsonData(arg, 'exc_message') ?? null;
  } catch {
    return inspect(arg, { depth: 4, breakLength: Infinity });
  }
}

/** `String(value)`, which throws for e.g. `Object.create(null)`; this never does. */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A Python-like traceback text for a JS error (the stack, or the message when there is none). */
export function toTraceback(error: unknown): string | null {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return null;
}

/** True for a value shaped like {@link ExceptionInfo}. */
export function isExceptionInfo(value: unknown): value is ExceptionInfo {
  return typeof value === 'object' && value !== null && typeof (value as { exc_type?: unknown }).exc_type === 'string';
}
