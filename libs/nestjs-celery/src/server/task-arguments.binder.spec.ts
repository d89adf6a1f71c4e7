import { describe, expect, it } from '@jest/globals';
import { bindTaskArguments, TaskArgumentsError } from './task-arguments.binder.js';

const bind = (params: string[] | undefined, args: unknown[], kwargs: Record<string, unknown> = {}) =>
  bindTaskArguments('proj.tasks.add', args, kwargs, params ? { params } : undefined);

function typeError(fn: () => unknown): TaskArgumentsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TaskArgumentsError);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).name).toBe('TypeError');
    return error as TaskArgumentsError;
  }
  throw new Error('expected a TypeError');
}

describe('bindTaskArguments', () => {
  it('passes args and kwargs through untouched without params (or without options)', () => {
    const args = [1, 'x'];
    const kwargs = { z: 3 };
    const bound = bind(undefined, args, kwargs);
    expect(bound.args).toBe(args);
    expect(bound.kwargs).toBe(kwargs);
    expect(bindTaskArguments('t', args, kwargs, {})).toEqual({ args, kwargs });
  });

  it('keeps positional arguments and binds keyword arguments to their positions', () => {
    expect(bind(['x', 'y'], [1, 2])).toEqual({ args: [1, 2], kwargs: {} });
    expect(bind(['x', 'y'], [], { y: 2, x: 1 })).toEqual({ args: [1, 2], kwargs: {} });
    expect(bind(['x', 'y'], [1], { y: 2 })).toEqual({ args: [1, 2], kwargs: {} });
  });

  it('does not mutate the inputs', () => {
    const args = [1];
    const kwargs = { y: 2 };
    bind(['x', 'y'], args, kwargs);
    expect(args).toEqual([1]);
    expect(kwargs).toEqual({ y: 2 });
  });

  it('leaves missing trailing optional parameters absent, and fills holes with undefined', () => {
    expect(bind(['x', 'y?'], [1])).toEqual({ args: [1], kwargs: {} });
    expect(bind(['x', 'y?', 'z?'], [1], { z: 3 })).toEqual({ args: [1, undefined, 3], kwargs: {} });
    expect(bind(['x?'], [])).toEqual({ args: [], kwargs: {} });
  });

  it('reports one missing argument like Python', () => {
    expect(typeError(() => bind(['x', 'y'], [1])).message).toBe("add() missing 1 required positional argument: 'y'");
  });

  it('reports two and three missing arguments with Python punctuation', () => {
    expect(typeError(() => bind(['x', 'y'], [])).message).toBe("add() missing 2 required positional arguments: 'x' and 'y'");
    expect(typeError(() => bind(['x', 'y', 'z'], [])).message).toBe(
      "add() missing 3 required positional arguments: 'x', 'y', and 'z'",
    );
    expect(typeError(() => bind(['x', 'y', 'z'], [1])).message).toBe("add() missing 2 required positional arguments: 'y' and 'z'");
  });

  it('lists only the required parameters that are really missing', () => {
    expect(typeError(() => bind(['x', 'y', 'z?'], [], { y: 1 })).message).toBe(
      "add() missing 1 required positional argument: 'x'",
    );
  });

  it('reports a keyword given for a positional already filled', () => {
    expect(typeError(() => bind(['x', 'y'], [1], { x: 2 })).message).toBe("add() got multiple values for argument 'x'");
    expect(typeError(() => bind(['x', '**kw'], [1], { x: 2 })).message).toBe("add() got multiple values for argument 'x'");
  });

  it('reports surplus positional arguments with singular/plural and optional ranges', () => {
    expect(typeError(() => bind(['x', 'y'], [1, 2, 3])).message).toBe('add() takes 2 positional arguments but 3 were given');
    expect(typeError(() => bind(['x'], [1, 2])).message).toBe('add() takes 1 positional argument but 2 were given');
    expect(typeError(() => bind([], [1])).message).toBe('add() takes 0 positional arguments but 1 was given');
    expect(typeError(() => bind(['x', 'y?'], [1, 2, 3])).message).toBe(
      'add() takes from 1 to 2 positional arguments but 3 were given',
    );
  });

  it('reports an unexpected keyword argument', () => {
    expect(typeError(() => bind(['x', 'y'], [1, 2], { z: 3 })).message).toBe("add() got an unexpected keyword argument 'z'");
  });

  it('checks keyword arguments before the positional count and missing ones, in order, as CPython does', () => {
    // f(x, y) called as f(x=1, z=2): the unexpected keyword wins over the missing 'y'
    expect(typeError(() => bind(['x', 'y'], [], { x: 1, z: 2 })).message).toBe("add() got an unexpected keyword argument 'z'");
    // f(1, 2, 3, z=2): the unexpected keyword wins over surplus positionals
    expect(typeError(() => bind(['x', 'y'], [1, 2, 3], { z: 2 })).message).toBe("add() got an unexpected keyword argument 'z'");
    // f(1, 2, 3, x=2): multiple values wins over surplus positionals
    expect(typeError(() => bind(['x', 'y'], [1, 2, 3], { x: 2 })).message).toBe("add() got multiple values for argument 'x'");
    // the first offending keyword in the order given
    expect(typeError(() => bind(['x', 'y'], [1], { q: 1, x: 2 })).message).toBe("add() got an unexpected keyword argument 'q'");
  });

  it('collects surplus positionals with *args', () => {
    expect(bind(['x', '*rest'], [1, 2, 3])).toEqual({ args: [1, 2, 3], kwargs: {} });
    expect(bind(['*rest'], [])).toEqual({ args: [], kwargs: {} });
    expect(bind(['x', '*rest'], [], { x: 1 })).toEqual({ args: [1], kwargs: {} });
  });

  it('collects unknown keywords with **kwargs and leaves them in kwargs', () => {
    expect(bind(['x', '**kw'], [], { x: 1, extra: true })).toEqual({ args: [1], kwargs: { extra: true } });
    expect(bind(['*a', '**kw'], [1, 2], { a: 1 })).toEqual({ args: [1, 2], kwargs: { a: 1 } });
  });

  it('names the function after the last dot of the task name', () => {
    expect(() => bindTaskArguments('add', [], {}, { params: ['x'] })).toThrow("add() missing 1 required positional argument: 'x'");
    expect(() => bindTaskArguments('a.b.mul', [], {}, { params: ['x'] })).toThrow('mul() missing');
  });

  it('reuses the parsed parameter list', () => {
    const params = ['x', 'y?'];
    expect(bindTaskArguments('t', [1], {}, { params })).toEqual({ args: [1], kwargs: {} });
    expect(bindTaskArguments('t', [], { x: 1, y: 2 }, { params })).toEqual({ args: [1, 2], kwargs: {} });
  });
});
