import { describe, expect, it } from '@jest/globals';
import { ControlCommandError, errorRepr } from './control.errors.js';

describe('control error reprs (Python repr(exc))', () => {
  it('writes KeyError and TypeError like Python', () => {
    expect(new ControlCommandError('KeyError', 'nosuch').pythonRepr).toBe("KeyError('nosuch')");
    expect(new ControlCommandError('KeyError', 42).pythonRepr).toBe('KeyError(42)');
    expect(errorRepr(new ControlCommandError('TypeError', "revoke() missing 1 required positional argument: 'task_id'"))).toBe(
      'TypeError("revoke() missing 1 required positional argument: \'task_id\'")',
    );
  });

  it('writes other errors as <name>(message), plain Error as Exception', () => {
    expect(errorRepr(new RangeError('too big'))).toBe("RangeError('too big')");
    expect(errorRepr(new Error('boom'))).toBe("Exception('boom')");
    expect(errorRepr('text')).toBe("Exception('text')");
  });
});
