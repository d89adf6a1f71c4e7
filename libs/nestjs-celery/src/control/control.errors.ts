import { pythonStringRepr } from '../protocol/python-repr.js';

/**
 * A control command failed the way a Python handler raises: the reply is Celery's error shape
 * `{"error": "<PythonType>('<message>')"}` (kombu `Node.dispatch` replies `{'error': repr(exc)}`).
 */
export class ControlCommandError extends Error {
  override readonly name = 'ControlCommandError';

  constructor(
    /** The Python exception type a Celery worker raises in the same case, e.g. `KeyError`. */
    readonly pythonType: string,
    /** The exception's argument, e.g. the unknown command name. */
    readonly detail: string | number,
  ) {
    super(`${pythonType}: ${String(detail)}`);
  }

  /** `repr(exc)` as Python prints it, e.g. `KeyError('nosuch')`. */
  get pythonRepr(): string {
    const arg = typeof this.detail === 'number' ? String(this.detail) : pythonStringRepr(this.detail);
    return `${this.pythonType}(${arg})`;
  }
}

/**
 * A control message that cannot be read at all (not JSON, not an object): there is no
 * `reply_to` to answer, so the worker logs one line and drops it, as Celery does.
 */
export class MalformedControlMessageError extends Error {
  override readonly name = 'MalformedControlMessageError';
}

/** A control call that cannot be sent (bad destination, bad options); nothing was published. */
export class CeleryControlCallError extends Error {
  override readonly name = 'CeleryControlCallError';
}

/** `repr(exc)` for any error a command handler threw, shaped like Python's. */
export function errorRepr(error: unknown): string {
  if (error instanceof ControlCommandError) return error.pythonRepr;
  if (error instanceof Error) return `${error.name === 'Error' ? 'Exception' : error.name}(${pythonStringRepr(error.message)})`;
  return `Exception(${pythonStringRepr(String(error))})`;
}
