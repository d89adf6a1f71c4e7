import { describe, expect, it } from '@jest/globals';
import { bodyBytes, loadVector, resultVectorNames } from '../../test/vectors/load-vectors.js';
import { toRemoteError } from './celery-remote.error.js';
import { isPropagatedState, isReadyState } from './celery-state.js';
import { InvalidTaskMessageError } from './protocol.errors.js';
import { decodeResultMessage, encodeResultMessage, resultTuple, type ResultMessage } from './result-message.js';

const ID = '9d7c6b5a-4f3e-4d2c-8b1a-0f9e8d7c6b5a';

function parse(buffer: Buffer): Record<string, unknown> {
  return JSON.parse(buffer.toString('utf8')) as Record<string, unknown>;
}

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTaskMessageError);
    return (error as InvalidTaskMessageError).reason;
  }
  throw new Error('did not throw');
}

describe('decodeResultMessage on the captured rpc:// replies', () => {
  it('covers every result vector', () => {
    expect(resultVectorNames).toEqual([
      'result-failure-custom',
      'result-failure-notregistered',
      'result-failure-valueerror',
      'result-retry',
      'result-started',
      'result-success',
    ]);
  });

  describe.each(resultVectorNames)('%s', (name) => {
    const vector = loadVector(name);

    it('decodes to the body as sent (the five keys)', () => {
      const decoded = decodeResultMessage(bodyBytes(vector));
      expect(decoded).toEqual(vector.body);
      expect(Object.keys(decoded).sort()).toEqual(['children', 'result', 'status', 'task_id', 'traceback']);
    });

    it('matches correlation_id = task_id and transient delivery, no headers', () => {
      const decoded = decodeResultMessage(bodyBytes(vector));
      expect(vector.properties.correlation_id).toBe(decoded.task_id);
      expect(vector.properties.delivery_mode).toBe(1);
      expect(vector.headers).toEqual({});
    });

    it('re-encodes to an equal body with exactly the same keys', () => {
      const decoded = decodeResultMessage(bodyBytes(vector));
      const again = parse(encodeResultMessage(decoded));
      expect(again).toEqual(vector.body);
      expect(Object.keys(again)).toEqual(['task_id', 'status', 'result', 'traceback', 'children']);
    });
  });

  it('SUCCESS: result 4, ready, not propagated', () => {
    const decoded = decodeResultMessage(bodyBytes(loadVector('result-success')));
    expect(decoded).toMatchObject({ status: 'SUCCESS', result: 4, traceback: null, children: [] });
    expect(isReadyState(decoded.status)).toBe(true);
    expect(isPropagatedState(decoded.status)).toBe(false);
  });

  it('STARTED: {pid, hostname}, not ready', () => {
    const decoded = decodeResultMessage(bodyBytes(loadVector('result-started')));
    expect(decoded.status).toBe('STARTED');
    expect(decoded.result).toEqual({ pid: expect.any(Number), hostname: expect.any(String) });
    expect(isReadyState(decoded.status)).toBe(false);
  });

  it('RETRY: exception info, traceback and itself as child', () => {
    const decoded = decodeResultMessage(bodyBytes(loadVector('result-retry')));
    expect(decoded.status).toBe('RETRY');
    expect(decoded.result).toEqual({ exc_type: 'KeyError', exc_message: ['k'], exc_module: 'builtins' });
    expect(decoded.traceback).toMatch(/celery\.exceptions\.Retry: Retry in 1s: KeyError\('k'\)/);
    expect(decoded.children).toEqual([resultTuple(decoded.task_id)]);
    expect(isReadyState(decoded.status)).toBe(false);
  });

  it('FAILURE (ValueError) rebuilds a CeleryRemoteError', () => {
    const decoded = decodeResultMessage(bodyBytes(loadVector('result-failure-valueerror')));
    expect(isPropagatedState(decoded.status)).toBe(true);
    const error = toRemoteError(decoded.task_id, decoded.result, decoded.traceback);
    expect(error.name).toBe('CeleryRemoteError');
    expect(error.excType).toBe('ValueError');
    expect(error.excModule).toBe('builtins');
    expect(error.excArgs).toEqual(['bad value', 42]);
    expect(error.traceback).toMatch(/ValueError: \('bad value', 42\)\n$/);
    expect(error.taskId).toBe(decoded.task_id);
  });

  it('FAILURE (custom exception) keeps its module', () => {
    const decoded = decodeResultMessage(bodyBytes(loadVector('result-failure-custom')));
    const error = toRemoteError(decoded.task_id, decoded.result, decoded.traceback);
    expect(error).toMatchObject({ excType: 'CustomError', excModule: 'capture_tasks', excArgs: ['boom'], excMessage: 'boom' });
  });

  it('FAILURE (NotRegistered) has no traceback', () => {
    const decoded = decodeResultMessage(bodyBytes(loadVector('result-failure-notregistered')));
    expect(decoded.traceback).toBeNull();
    const error = toRemoteError(decoded.task_id, decoded.result, decoded.traceback);
    expect(error.name).toBe('CeleryNotRegisteredError');
    expect(error.excArgs).toEqual(['capture.unknown.task']);
  });
});

describe('decodeResultMessage leniency and errors', () => {
  it('accepts the minimal {task_id, status, result} reply and ignores extra keys such as date_done', () => {
    const decoded = decodeResultMessage(
      Buffer.from(JSON.stringify({ task_id: ID, status: 'SUCCESS', result: 42, date_done: '2026-01-01T00:00:00' })),
    );
    expect(decoded).toEqual({ task_id: ID, status: 'SUCCESS', result: 42, traceback: null, children: [] });
  });

  it('normalises a missing result to null and odd traceback/children values', () => {
    const decoded = decodeResultMessage(
      Buffer.from(JSON.stringify({ task_id: ID, status: 'PROGRESS', traceback: 5, children: 'x' })),
    );
    expect(decoded).toEqual({ task_id: ID, status: 'PROGRESS', result: null, traceback: null, children: [] });
  });

  it('keeps falsy results', () => {
    for (const result of [0, false, '', []]) {
      expect(decodeResultMessage(Buffer.from(JSON.stringify({ task_id: ID, status: 'SUCCESS', result }))).result).toEqual(
        result,
      );
    }
  });

  it('rejects a body that is not JSON', () => {
    expect(reason(() => decodeResultMessage(Buffer.from('nope')))).toBe('not-json');
  });

  it.each([['an array', [1]], ['null', null], ['a string', 's'], ['a number', 3]])('rejects a body that is %s', (_l, body) => {
    expect(reason(() => decodeResultMessage(Buffer.from(JSON.stringify(body))))).toBe('body-shape');
  });

  it.each([
    ['no task_id', { status: 'SUCCESS', result: 1 }],
    ['no status', { task_id: ID, result: 1 }],
    ['numeric task_id', { task_id: 1, status: 'SUCCESS' }],
    ['null status', { task_id: ID, status: null }],
  ])('rejects %s', (_l, body) => {
    expect(reason(() => decodeResultMessage(Buffer.from(JSON.stringify(body))))).toBe('body-shape');
  });
});

describe('encodeResultMessage', () => {
  it('writes exactly task_id, status, result, traceback, children in that order', () => {
    const message: ResultMessage = { task_id: ID, status: 'SUCCESS', result: { a: [1] }, traceback: null, children: [] };
    const body = parse(encodeResultMessage(message));
    expect(Object.keys(body)).toEqual(['task_id', 'status', 'result', 'traceback', 'children']);
    expect(body).toEqual(message);
  });

  it('drops any other key and never writes date_done', () => {
    const message = { task_id: ID, status: 'SUCCESS', result: 1, traceback: null, children: [], date_done: 'x', extra: 1 };
    expect(Object.keys(parse(encodeResultMessage(message)))).toEqual(['task_id', 'status', 'result', 'traceback', 'children']);
  });

  it('writes an undefined result as null (the key must stay)', () => {
    const body = parse(encodeResultMessage({ task_id: ID, status: 'SUCCESS', result: undefined, traceback: null, children: [] }));
    expect(body).toEqual({ task_id: ID, status: 'SUCCESS', result: null, traceback: null, children: [] });
  });

  it('keeps traceback and children keys even if a JS caller leaves them undefined', () => {
    const loose = { task_id: ID, status: 'FAILURE', result: null } as unknown as ResultMessage;
    expect(Object.keys(parse(encodeResultMessage(loose)))).toEqual(['task_id', 'status', 'result', 'traceback', 'children']);
    expect(parse(encodeResultMessage(loose))).toMatchObject({ traceback: null, children: [] });
  });

  it('writes a FAILURE reply the way a Python worker does', () => {
    const message: ResultMessage = {
      task_id: ID,
      status: 'FAILURE',
      result: { exc_type: 'ValueError', exc_message: ['bad value', 42], exc_module: 'builtins' },
      traceback: 'Traceback (most recent call last):\n',
      children: [],
    };
    expect(decodeResultMessage(encodeResultMessage(message))).toEqual(message);
  });

  it('is UTF-8', () => {
    const buf = encodeResultMessage({ task_id: ID, status: 'SUCCESS', result: '\u65e5\u{1F389}', traceback: null, children: [] });
    expect(buf.includes(Buffer.from('\u65e5\u{1F389}', 'utf8'))).toBe(true);
  });
});

describe('resultTuple', () => {
  it('is [[id, null], null], the shape of a children entry', () => {
    expect(resultTuple(ID)).toEqual([[ID, null], null]);
  });
});
