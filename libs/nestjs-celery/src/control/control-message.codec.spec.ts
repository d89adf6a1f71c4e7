import { describe, expect, it } from '@jest/globals';
import { MalformedControlMessageError } from './control.errors.js';
import { decodeControlReply, decodeControlRequest, encodeControlReply, encodeControlRequest, pythonTypeName } from './control-message.codec.js';

/** A request as Python's `app.control.inspect().registered()` publishes it (wire spec §6.2). */
const CAPTURED_REGISTERED =
  '{"method": "registered", "arguments": {"taskinfoitems": []}, "destination": null, "pattern": null, "matcher": null, ' +
  '"ticket": "2c32b39a-0000-4000-8000-000000000000", "reply_to": {"exchange": "reply.celery.pidbox", "routing_key": "81a549f6-0000"}}';

/** `app.control.revoke(id)`: a cast, without ticket and reply_to. */
const CAPTURED_REVOKE =
  '{"method": "revoke", "arguments": {"task_id": "abc", "terminate": false, "signal": "SIGTERM"}, "destination": null, "pattern": null, "matcher": null}';

describe('decodeControlRequest', () => {
  it('reads a captured Python call', () => {
    expect(decodeControlRequest(Buffer.from(CAPTURED_REGISTERED), 'application/json')).toEqual({
      method: 'registered',
      arguments: { taskinfoitems: [] },
      destination: null,
      pattern: null,
      matcher: null,
      ticket: '2c32b39a-0000-4000-8000-000000000000',
      replyTo: { exchange: 'reply.celery.pidbox', routingKey: '81a549f6-0000' },
      invalid: null,
    });
  });

  it('reads a captured cast (no reply)', () => {
    const request = decodeControlRequest(Buffer.from(CAPTURED_REVOKE), 'application/json');
    expect(request).toMatchObject({ method: 'revoke', ticket: null, replyTo: null, invalid: null });
    expect(request.arguments).toEqual({ task_id: 'abc', terminate: false, signal: 'SIGTERM' });
  });

  it('reads destination lists, patterns and matchers', () => {
    const request = decodeControlRequest(
      Buffer.from(JSON.stringify({ method: 'ping', arguments: {}, destination: ['a@x', 'b@y'], pattern: 'a*', matcher: 'glob' })),
    );
    expect(request).toMatchObject({ destination: ['a@x', 'b@y'], pattern: 'a*', matcher: 'glob' });
    expect(decodeControlRequest(Buffer.from('{"method": "ping", "destination": []}')).destination).toBeNull();
  });

  it('treats missing or null arguments as {}', () => {
    expect(decodeControlRequest(Buffer.from('{"method": "ping"}')).arguments).toEqual({});
    expect(decodeControlRequest(Buffer.from('{"method": "ping", "arguments": null}')).arguments).toEqual({});
  });

  it('marks unusable method or arguments with the error Python replies with', () => {
    expect(decodeControlRequest(Buffer.from('{"method": 42}')).invalid).toBe('KeyError(42)');
    expect(decodeControlRequest(Buffer.from('{"method": null}')).invalid).toBe('KeyError(None)');
    expect(decodeControlRequest(Buffer.from('{"arguments": {}}')).invalid).toBe(
      'TypeError("dispatch() missing 1 required positional argument: \'method\'")',
    );
    expect(decodeControlRequest(Buffer.from('{"method": "ping", "arguments": [1]}')).invalid).toBe(
      "TypeError('ping() argument after ** must be a mapping, not list')",
    );
  });

  it('ignores a reply_to that is not kombu-shaped', () => {
    expect(decodeControlRequest(Buffer.from('{"method": "ping", "reply_to": "q"}')).replyTo).toBeNull();
    expect(decodeControlRequest(Buffer.from('{"method": "ping", "reply_to": {"exchange": "x"}}')).replyTo).toBeNull();
  });

  it('throws MalformedControlMessageError for what cannot be read', () => {
    expect(() => decodeControlRequest(Buffer.from('not json'))).toThrow(MalformedControlMessageError);
    expect(() => decodeControlRequest(Buffer.from('[1, 2]'))).toThrow('body is a list, not an object');
    expect(() => decodeControlRequest(Buffer.from('{}'), 'application/x-python-serialize')).toThrow('is not accepted');
  });
});

describe('encodeControlRequest / encodeControlReply / decodeControlReply', () => {
  it('writes kombu Mailbox._publish key order; calls get ticket and reply_to', () => {
    const call = encodeControlRequest({
      method: 'ping',
      ticket: 't1',
      replyTo: { exchange: 'reply.celery.pidbox', routingKey: 'oid' },
    });
    expect(call.toString()).toBe(
      '{"method":"ping","arguments":{},"destination":null,"pattern":null,"matcher":null,"ticket":"t1","reply_to":{"exchange":"reply.celery.pidbox","routing_key":"oid"}}',
    );
    const cast = JSON.parse(encodeControlRequest({ method: 'revoke', arguments: { task_id: 'x' }, destination: ['w@h'] }).toString());
    expect(cast).toEqual({ method: 'revoke', arguments: { task_id: 'x' }, destination: ['w@h'], pattern: null, matcher: null });
  });

  it('wraps a reply in {hostname: reply}; undefined becomes null like Python None', () => {
    expect(encodeControlReply('w1@spec', { ok: 'pong' }).toString()).toBe('{"w1@spec":{"ok":"pong"}}');
    expect(encodeControlReply('w1@spec', undefined).toString()).toBe('{"w1@spec":null}');
    expect(decodeControlReply(Buffer.from('{"w1@spec": {"ok": "pong"}}'))).toEqual({ 'w1@spec': { ok: 'pong' } });
    expect(() => decodeControlReply(Buffer.from('[]'))).toThrow(MalformedControlMessageError);
    expect(() => decodeControlReply(Buffer.from('{'))).toThrow(MalformedControlMessageError);
  });

  it('names JSON values with Python type names', () => {
    expect([null, [], 'a', true, 1, 1.5, {}].map(pythonTypeName)).toEqual(['NoneType', 'list', 'str', 'bool', 'int', 'float', 'dict']);
  });
});
