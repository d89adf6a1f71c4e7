import { describe, expect, it } from '@jest/globals';
import { CeleryRemoteError } from './celery-remote.error.js';
import {
  NODE_EXCEPTION_MODULE,
  PYTHON_BUILTIN_EXCEPTIONS,
  isExceptionInfo,
  toExceptionInfo,
  toTraceback,
} from './exception-info.js';

class ValueError extends Error {
  override name = 'ValueError';
}

describe('toExceptionInfo', () => {
  it('a JS error named like a Python builtin travels as builtins.<name>', () => {
    expect(toExceptionInfo(new ValueError('bad value'))).toEqual({
      exc_type: 'ValueError',
      exc_message: ['bad value'],
      exc_module: 'builtins',
    });
  });

  it('JS TypeError maps to the Python builtin of the same name', () => {
    expect(toExceptionInfo(new TypeError('nope'))).toEqual({ exc_type: 'TypeError', exc_message: ['nope'], exc_module: 'builtins' });
  });

  it('RangeError (no Python builtin) goes under the nodejs module', () => {
    expect(NODE_EXCEPTION_MODULE).toBe('nodejs');
    expect(toExceptionInfo(new RangeError('out of range'))).toEqual({
      exc_type: 'RangeError',
      exc_message: ['out of range'],
      exc_module: 'nodejs',
    });
  });

  it('plain Error -> nodejs.Error', () => {
    expect(toExceptionInfo(new Error('boom'))).toEqual({ exc_type: 'Error', exc_message: ['boom'], exc_module: 'nodejs' });
  });

  it('an error without message has no arguments', () => {
    expect(toExceptionInfo(new Error())).toEqual({ exc_type: 'Error', exc_message: [], exc_module: 'nodejs' });
  });

  it('an error with an empty name falls back to Error', () => {
    const error = new Error('x');
    error.name = '';
    expect(toExceptionInfo(error).exc_type).toBe('Error');
  });

  it('excType / excModule / excArgs override the derived identity', () => {
    const error = Object.assign(new Error('ignored'), { excType: 'ValidationError', excModule: 'myapp.errors', excArgs: ['field x', 2] });
    expect(toExceptionInfo(error)).toEqual({ exc_type: 'ValidationError', exc_message: ['field x', 2], exc_module: 'myapp.errors' });
  });

  it('excType alone picks builtins when it names a builtin', () => {
    const error = Object.assign(new Error('k'), { excType: 'KeyError' });
    expect(toExceptionInfo(error)).toEqual({ exc_type: 'KeyError', exc_message: ['k'], exc_module: 'builtins' });
  });

  it('excType alone picks nodejs otherwise, and excArgs alone keeps the name', () => {
    expect(toExceptionInfo(Object.assign(new Error('m'), { excType: 'Custom' })).exc_module).toBe('nodejs');
    expect(toExceptionInfo(Object.assign(new ValueError('m'), { excArgs: [1, 2] }))).toEqual({
      exc_type: 'ValueError',
      exc_message: [1, 2],
      exc_module: 'builtins',
    });
  });

  it('overrides of the wrong type are ignored', () => {
    const error = Object.assign(new ValueError('m'), { excType: 5, excModule: null, excArgs: 'x' });
    expect(toExceptionInfo(error)).toEqual({ exc_type: 'ValueError', exc_message: ['m'], exc_module: 'builtins' });
  });

  it('a CeleryRemoteError passed along keeps its Python identity', () => {
    const remote = new CeleryRemoteError('id', { exc_type: 'CustomError', exc_message: ['boom', 1], exc_module: 'capture_tasks' });
    expect(toExceptionInfo(remote)).toEqual({ exc_type: 'CustomError', exc_message: ['boom', 1], exc_module: 'capture_tasks' });
  });

  it('a non-Error object with a message -> builtins.Exception(message)', () => {
    expect(toExceptionInfo({ message: 'shaped like an error' })).toEqual({
      exc_type: 'Exception',
      exc_message: ['shaped like an error'],
      exc_module: 'builtins',
    });
  });

  it.each<[unknown, string]>([
    ['a string', 'a string'],
    [42, '42'],
    [null, 'null'],
    [undefined, 'undefined'],
    [{ message: 5 }, '[object Object]'],
    [Symbol('s'), 'Symbol(s)'],
  ])('a thrown non-Error %p -> builtins.Exception(%j)', (value, text) => {
    expect(toExceptionInfo(value)).toEqual({ exc_type: 'Exception', exc_message: [text], exc_module: 'builtins' });
  });

  it('never throws, even for an object that cannot be converted to a string', () => {
    expect(toExceptionInfo(Object.create(null))).toEqual({
      exc_type: 'Exception',
      exc_message: ['[object Object]'],
      exc_module: 'builtins',
    });
  });

  it('always produces an array exc_message (the Python client splats it)', () => {
    for (const value of [new Error('a'), 'b', 3, null, { message: 'c' }]) {
      expect(Array.isArray(toExceptionInfo(value).exc_message)).toBe(true);
    }
  });
});

describe('PYTHON_BUILTIN_EXCEPTIONS', () => {
  it('contains the builtins the spec recommends and no JS-only names', () => {
    for (const name of ['ValueError', 'TypeError', 'KeyError', 'RuntimeError', 'Exception', 'NotImplementedError']) {
      expect(PYTHON_BUILTIN_EXCEPTIONS.has(name)).toBe(true);
    }
    for (const name of ['Error', 'RangeError', 'EvalError', 'URIError', 'AggregateError']) {
      expect(PYTHON_BUILTIN_EXCEPTIONS.has(name)).toBe(false);
    }
  });
});

describe('toTraceback', () => {
  it('is the stack of an Error', () => {
    const error = new ValueError('x');
    expect(toTraceback(error)).toBe(error.stack);
  });

  it('falls back to "name: message" without a stack', () => {
    const error = new RangeError('r');
    error.stack = undefined;
    expect(toTraceback(error)).toBe('RangeError: r');
  });

  it('is null for non-errors', () => {
    expect(toTraceback('x')).toBeNull();
    expect(toTraceback({ stack: 's' })).toBeNull();
  });
});

describe('isExceptionInfo', () => {
  it.each<[unknown, boolean]>([
    [{ exc_type: 'ValueError', exc_message: [], exc_module: 'builtins' }, true],
    [{ exc_type: 'ValueError' }, true],
    [{ exc_type: 1 }, false],
    [{ pid: 1, hostname: 'h' }, false],
    [null, false],
    ['ValueError', false],
    [4, false],
  ])('%p -> %p', (value, expected) => {
    expect(isExceptionInfo(value)).toBe(expected);
  });
});

describe('toExceptionInfo: arguments', () => {
  it('explicit args replace the message (e.g. a Nest exception\'s data)', () => {
    expect(toExceptionInfo(new Error('Bad Request Exception'), [{ statusCode: 400, message: ['x'] }])).toEqual({
      exc_type: 'Error',
      exc_message: [{ statusCode: 400, message: ['x'] }],
      exc_module: 'nodejs',
    });
  });

  it('arguments follow the Celery JSON value rules: a Map becomes an object, a Date its ISO string', () => {
    const error = Object.assign(new Error('m'), { excArgs: [new Map([['k', 1]]), new Date(0)] });
    expect(toExceptionInfo(error).exc_message).toEqual([{ k: 1 }, '1970-01-01T00:00:00.000Z']);
  });

  it("an argument that cannot be written becomes its text, as Celery's ensure_serializable puts its repr", () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const info = toExceptionInfo(Object.assign(new Error('m'), { excArgs: ['kept', 10n, new Set([1]), cycle] }));
    expect(info.exc_message).toEqual(['kept', '10n', 'Set(1) { 1 }', '<ref *1> { a: 1, self: [Circular *1] }']);
    expect(() => JSON.stringify(info)).not.toThrow();
  });
});

