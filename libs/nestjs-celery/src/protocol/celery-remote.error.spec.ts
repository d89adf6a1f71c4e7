import { describe, expect, it } from '@jest/globals';
import { CeleryNotRegisteredError, CeleryRemoteError, CeleryTaskRevokedError, toRemoteError } from './celery-remote.error.js';
import type { ExceptionInfo } from './exception-info.js';

const ID = 'a1b2c3d4-0000-4000-8000-000000000001';

describe('toRemoteError', () => {
  it('NotRegistered -> CeleryNotRegisteredError', () => {
    const error = toRemoteError(ID, { exc_type: 'NotRegistered', exc_message: ['unknown.task'], exc_module: 'celery.exceptions' }, null);
    expect(error).toBeInstanceOf(CeleryNotRegisteredError);
    expect(error).toBeInstanceOf(CeleryRemoteError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'CeleryNotRegisteredError',
      excType: 'NotRegistered',
      excModule: 'celery.exceptions',
      excArgs: ['unknown.task'],
      excMessage: 'unknown.task',
      traceback: null,
      taskId: ID,
      message: 'NotRegistered: unknown.task',
    });
  });

  it.each(['revoked', 'expired', 'terminated'])('TaskRevokedError(%s) -> CeleryTaskRevokedError', (why) => {
    const error = toRemoteError(ID, { exc_type: 'TaskRevokedError', exc_message: [why], exc_module: 'celery.exceptions' }, null);
    expect(error).toBeInstanceOf(CeleryTaskRevokedError);
    expect(error.name).toBe('CeleryTaskRevokedError');
    expect(error.excMessage).toBe(why);
  });

  it('anything else -> CeleryRemoteError with type, module, args and traceback', () => {
    const tb = 'Traceback (most recent call last):\n  ...\nValueError: (\'bad value\', 42)\n';
    const error = toRemoteError(ID, { exc_type: 'ValueError', exc_message: ['bad value', 42], exc_module: 'builtins' }, tb);
    expect(error.constructor).toBe(CeleryRemoteError);
    expect(error).toMatchObject({
      name: 'CeleryRemoteError',
      excType: 'ValueError',
      excModule: 'builtins',
      excArgs: ['bad value', 42],
      excMessage: 'bad value, 42',
      message: 'ValueError: bad value, 42',
      traceback: tb,
      taskId: ID,
    });
  });

  it('TimeLimitExceeded and SoftTimeLimitExceeded (no args)', () => {
    const hard = toRemoteError(ID, { exc_type: 'TimeLimitExceeded', exc_message: [30], exc_module: 'billiard.exceptions' }, null);
    expect(hard).toMatchObject({ excArgs: [30], excMessage: '30', message: 'TimeLimitExceeded: 30' });
    const soft = toRemoteError(ID, { exc_type: 'SoftTimeLimitExceeded', exc_message: [], exc_module: 'billiard.exceptions' }, null);
    expect(soft).toMatchObject({ excArgs: [], excMessage: '', message: 'SoftTimeLimitExceeded: ' });
  });

  it('a non-list exc_message is one argument (Python passes it as one)', () => {
    const info = { exc_type: 'ValueError', exc_message: 'plain string' } as unknown as ExceptionInfo;
    const error = toRemoteError(ID, info, null);
    expect(error.excArgs).toEqual(['plain string']);
    expect(error.excMessage).toBe('plain string');
    expect(error.excModule).toBe('builtins'); // no module given
  });

  it('a missing exc_message means no arguments', () => {
    const error = toRemoteError(ID, { exc_type: 'RuntimeError' } as unknown as ExceptionInfo, null);
    expect(error.excArgs).toEqual([]);
    expect(error.message).toBe('RuntimeError: ');
  });

  it('non-string arguments are shown as JSON in message and excMessage', () => {
    const error = toRemoteError(ID, { exc_type: 'KeyError', exc_message: [{ k: 1 }, [2], null], exc_module: 'builtins' }, null);
    expect(error.message).toBe('KeyError: {"k":1}, [2], null');
    expect(error.excMessage).toBe('{"k":1}, [2], null');
    expect(error.excArgs).toEqual([{ k: 1 }, [2], null]);
  });

  it('a result that is not exception info becomes builtins.Exception(result)', () => {
    const error = toRemoteError(ID, 'something broke', 'tb');
    expect(error).toMatchObject({ excType: 'Exception', excModule: 'builtins', excArgs: ['something broke'], traceback: 'tb' });
    expect(toRemoteError(ID, null, null).excArgs).toEqual([null]);
    expect(toRemoteError(ID, { no: 'type' }, null).excType).toBe('Exception');
  });

  it('the error carries a JS stack and can be thrown and caught by class', () => {
    const fn = () => {
      throw toRemoteError(ID, { exc_type: 'TaskRevokedError', exc_message: ['revoked'], exc_module: 'celery.exceptions' }, null);
    };
    expect(fn).toThrow(CeleryTaskRevokedError);
    expect(fn).toThrow('TaskRevokedError: revoked');
  });

  it("one object argument with a message (a Nest HttpException response or RpcException data) gives that message; a list of messages is joined", () => {
    const violations = { statusCode: 400, message: ['sku must be a string', 'quantity must be an integer'], error: 'Bad Request' };
    const validation = toRemoteError(ID, { exc_type: 'BadRequestException', exc_message: [violations], exc_module: 'nodejs' }, null);
    expect(validation).toMatchObject({ excArgs: [violations], excMessage: 'sku must be a string; quantity must be an integer' });
    expect(validation.message).toBe('BadRequestException: sku must be a string; quantity must be an integer');
    const data = toRemoteError(ID, { exc_type: 'Error', exc_message: [{ code: 'X', message: 'out of stock' }], exc_module: 'nodejs' }, null);
    expect(data.excMessage).toBe('out of stock');
    // without a message, or with several arguments, the arguments are shown as before
    expect(toRemoteError(ID, { exc_type: 'Error', exc_message: [{ code: 'X' }], exc_module: 'nodejs' }, null).excMessage).toBe('{"code":"X"}');
    expect(toRemoteError(ID, { exc_type: 'E', exc_message: [{ message: 'm' }, 1], exc_module: 'x' }, null).excMessage).toBe('{"message":"m"}, 1');
  });
});
