import { describe, expect, it } from '@jest/globals';
import { RecordingBroker, type Published } from '../../test/support/recording-broker.js';
import { toRemoteError, CeleryNotRegisteredError, CeleryTaskRevokedError } from '../protocol/celery-remote.error.js';
import { decodeResultMessage } from '../protocol/result-message.js';
import { createSignature } from '../protocol/signature.js';
import { decodeTaskMessage } from '../protocol/task-message.decoder.js';
import { encodeTaskMessage } from '../protocol/task-message.encoder.js';
import type { TaskMessageSpec, TaskRequest } from '../protocol/task-message.js';
import { TaskResultReporter } from './task-result.reporter.js';


function setup(enabled = true) {
  const broker = new RecordingBroker();
  return { broker, reporter: new TaskResultReporter(broker.asBroker(), enabled) };
}

function request(spec: Partial<TaskMessageSpec> = {}, correlationId?: string): TaskRequest {
  const encoded = encodeTaskMessage({ id: 'tid-1', task: 'proj.add', origin: 'gen1@host', replyTo: 'reply-q', ...spec });
  return decodeTaskMessage({
    content: encoded.body,
    headers: encoded.properties.headers,
    correlationId: correlationId ?? encoded.properties.correlationId,
    replyTo: encoded.properties.replyTo,
  });
}

const body = (p: Published) => JSON.parse(p.content.toString('utf8')) as Record<string, unknown>;

describe('TaskResultReporter', () => {
  it("publishes Celery's rpc reply: default exchange, reply_to routing key, five keys, transient, correlation id", () => {
    const { broker, reporter } = setup();
    reporter.report(request(), 'SUCCESS', 4);
    expect(broker.published).toHaveLength(1);
    const [reply] = broker.published;
    expect(reply!.exchange).toBe('');
    expect(reply!.routingKey).toBe('reply-q');
    expect(reply!.options).toEqual({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 1,
      priority: 0,
      correlationId: 'tid-1',
    });
    expect(reply!.options.headers).toBeUndefined();
    expect(reply!.options.mandatory).toBeUndefined();
    expect(Object.keys(body(reply!))).toEqual(['task_id', 'status', 'result', 'traceback', 'children']);
    expect(decodeResultMessage(reply!.content)).toEqual({ task_id: 'tid-1', status: 'SUCCESS', result: 4, traceback: null, children: [] });
  });

  it('uses the correlation id of the request, not the task id', () => {
    const { broker, reporter } = setup();
    reporter.report(request({}, 'corr-9'), 'STARTED', { pid: 1, hostname: 'w1@host' });
    expect(broker.published[0]!.options.correlationId).toBe('corr-9');
    expect(decodeResultMessage(broker.published[0]!.content)).toMatchObject({ task_id: 'tid-1', status: 'STARTED' });
  });

  it('writes traceback and children, and null for an undefined result', () => {
    const { broker, reporter } = setup();
    reporter.report(request(), 'RETRY', undefined, 'Traceback...', [[['tid-1', null], null]]);
    expect(body(broker.published[0]!)).toEqual({
      task_id: 'tid-1',
      status: 'RETRY',
      result: null,
      traceback: 'Traceback...',
      children: [[['tid-1', null], null]],
    });
  });

  it('publishes nothing without reply_to, or when disabled', () => {
    const { broker, reporter } = setup();
    reporter.report(request({ replyTo: null }), 'SUCCESS', 1);
    expect(broker.published).toHaveLength(0);
    const disabled = setup(false);
    disabled.reporter.report(request(), 'SUCCESS', 1);
    disabled.reporter.notRegistered(request());
    expect(disabled.broker.published).toHaveLength(0);
  });

  it.each(['revoked', 'expired', 'terminated'] as const)('reports REVOKED TaskRevokedError(%p)', (reason) => {
    const { broker, reporter } = setup();
    reporter.revoked(request(), reason);
    const message = decodeResultMessage(broker.published[0]!.content);
    expect(message).toEqual({
      task_id: 'tid-1',
      status: 'REVOKED',
      result: { exc_type: 'TaskRevokedError', exc_message: [reason], exc_module: 'celery.exceptions' },
      traceback: null,
      children: [],
    });
    expect(toRemoteError(message.task_id, message.result, message.traceback)).toBeInstanceOf(CeleryTaskRevokedError);
  });

  it('reports FAILURE NotRegistered(name) for an unknown task', () => {
    const { broker, reporter } = setup();
    reporter.notRegistered(request({ task: 'unknown.task' }));
    const message = decodeResultMessage(broker.published[0]!.content);
    expect(message).toEqual({
      task_id: 'tid-1',
      status: 'FAILURE',
      result: { exc_type: 'NotRegistered', exc_message: ['unknown.task'], exc_module: 'celery.exceptions' },
      traceback: null,
      children: [],
    });
    expect(toRemoteError(message.task_id, message.result, null)).toBeInstanceOf(CeleryNotRegisteredError);
  });

  it('marks every frozen chain step FAILURE with the same exception, to its own reply_to', () => {
    const { broker, reporter } = setup();
    const info = { exc_type: 'ValueError', exc_message: ['bad'], exc_module: 'builtins' };
    const chain = [
      createSignature('proj.c', [], {}, { task_id: 'step-3', reply_to: 'client-q' }),
      createSignature('proj.unfrozen', [], {}, {}),
      createSignature('proj.noreply', [], {}, { task_id: 'step-x' }),
      createSignature('proj.b', [], {}, { task_id: 'step-2', reply_to: 'other-q' }),
    ];
    reporter.failChain(chain, info, 'Traceback (most recent call last): ...');
    expect(broker.published.map((p) => [p.routingKey, p.options.correlationId])).toEqual([
      ['client-q', 'step-3'],
      ['other-q', 'step-2'],
    ]);
    for (const p of broker.published) {
      const message = decodeResultMessage(p.content);
      expect(message.status).toBe('FAILURE');
      expect(message.result).toEqual(info);
      expect(message.traceback).toBe('Traceback (most recent call last): ...');
      expect(message.task_id).toBe(p.options.correlationId);
      expect(p.exchange).toBe('');
    }
  });

  it('does nothing for a missing chain', () => {
    const { broker, reporter } = setup();
    reporter.failChain(null, { exc_type: 'E', exc_message: [], exc_module: 'builtins' }, null);
    reporter.failChain([], { exc_type: 'E', exc_message: [], exc_module: 'builtins' }, null);
    expect(broker.published).toHaveLength(0);
  });

  it('publishes replies unconfirmed, like Celery, so the ack does not wait a broker round trip', () => {
    const { broker, reporter } = setup();
    reporter.report(request(), 'SUCCESS', 1);
    expect(broker.published).toHaveLength(1);
    expect(broker.published[0]!.unconfirmed).toBe(true);
  });

});
