import { describe, expect, it } from '@jest/globals';
import { loadVector, taskVectorNames, toIncomingMessage, type WireVector } from '../../test/vectors/load-vectors.js';
import { decodeDelivery, decodeTaskMessage, type IncomingMessage } from './task-message.decoder.js';
import { InvalidTaskMessageError, type InvalidTaskReason } from './protocol.errors.js';

const ID = '0b7c3a4e-5e0f-4f63-9a57-7d0f6a1f2b11';

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function v2(body: unknown, headers: Record<string, unknown> = {}, extra: Partial<IncomingMessage> = {}): IncomingMessage {
  return {
    content: Buffer.isBuffer(body) ? body : json(body),
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    headers: { task: 'tasks.add', id: ID, ...headers },
    ...extra,
  };
}

const EMPTY_EMBED = { callbacks: null, errbacks: null, chain: null, chord: null };

function decodeError(message: IncomingMessage): InvalidTaskMessageError {
  try {
    decodeTaskMessage(message);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTaskMessageError);
    return error as InvalidTaskMessageError;
  }
  throw new Error('decodeTaskMessage did not throw');
}

function expectReason(message: IncomingMessage, reason: InvalidTaskReason, text?: RegExp): void {
  const error = decodeError(message);
  expect(error.reason).toBe(reason);
  expect(error.name).toBe('InvalidTaskMessageError');
  if (text) expect(error.message).toMatch(text);
}

describe('decodeTaskMessage on the captured Celery 5.2.6 vectors', () => {
  describe.each(taskVectorNames.filter((name) => name.startsWith('task-v2-')))('%s', (name) => {
    const vector: WireVector = loadVector(name);
    const [args, kwargs, embed] = vector.body as [unknown[], Record<string, unknown>, Record<string, unknown>];
    const h = vector.headers;

    it('reads every Celery header, the body and the properties', () => {
      const request = decodeTaskMessage(toIncomingMessage(vector));
      expect(request).toEqual({
        protocol: 2,
        id: h.id,
        task: h.task,
        args,
        kwargs,
        embed: { ...EMPTY_EMBED, ...embed },
        retries: h.retries,
        eta: h.eta === null ? null : expect.any(Date),
        expires: h.expires === null ? null : expect.any(Date),
        rootId: h.root_id,
        parentId: h.parent_id,
        group: h.group,
        groupIndex: h.group_index,
        shadow: h.shadow,
        timeLimit: h.timelimit,
        ignoreResult: false,
        origin: h.origin,
        replyTo: vector.properties.reply_to,
        correlationId: vector.properties.correlation_id,
        priority: vector.properties.priority,
        headers: h,
      });
    });

    it('uses the task id as correlation id and root id, as Python does', () => {
      const request = decodeTaskMessage(toIncomingMessage(vector));
      expect(request.correlationId).toBe(request.id);
      expect(request.rootId).toBe(request.id);
    });
  });

  it('default route (task-v2-add-delay): add(2, 2), priority 0, no time limits', () => {
    const vector = loadVector('task-v2-add-delay');
    const request = decodeTaskMessage(toIncomingMessage(vector));
    expect(request.task).toBe('capture_tasks.add');
    expect(request.args).toEqual([2, 2]);
    expect(request.kwargs).toEqual({});
    expect(request.embed).toEqual(EMPTY_EMBED);
    expect(request.priority).toBe(0);
    expect(request.timeLimit).toEqual([null, null]);
    expect(request.eta).toBeNull();
    expect(request.expires).toBeNull();
    expect(request.replyTo).toBe('86f39c21-9a61-3203-b3f5-794235227568');
  });

  it('queue= route (task-v2-add-queue-option): no priority property -> null', () => {
    const vector = loadVector('task-v2-add-queue-option');
    expect(vector.properties.priority).toBeNull();
    expect(decodeTaskMessage(toIncomingMessage(vector)).priority).toBeNull();
  });

  describe('task-v2-all-options', () => {
    const vector = loadVector('task-v2-all-options');
    const request = decodeTaskMessage(toIncomingMessage(vector));

    it('parses eta and expires (microseconds cut to milliseconds, +00:00 = UTC)', () => {
      expect(vector.headers.eta).toBe('2026-11-22T03:08:43.957981+00:00');
      expect(request.eta?.toISOString()).toBe('2026-11-22T03:08:43.957Z');
      expect(request.expires?.toISOString()).toBe('2026-11-22T03:09:33.957Z');
      expect(request.expires!.getTime() - request.eta!.getTime()).toBe(50_000); // countdown=10, expires=60
    });

    it('keeps timelimit as [hard, soft] = [30, 20]', () => {
      expect(request.timeLimit).toEqual([30, 20]);
    });

    it('reads shadow, priority and the custom header', () => {
      expect(request.shadow).toBe('alias-name');
      expect(request.priority).toBe(5);
      expect(request.headers['x-custom']).toBe('v');
    });

    it('reads link callbacks and errbacks as signatures', () => {
      expect(request.embed.callbacks).toEqual([
        { task: 'capture_tasks.whoami', args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false },
      ]);
      expect(request.embed.errbacks).toEqual([
        { task: 'capture_tasks.on_err', args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false },
      ]);
      expect(request.embed.chain).toBeNull();
      expect(request.embed.chord).toBeNull();
    });
  });

  it('task-v2-unicode-kwargs: non-ASCII args and kwargs survive UTF-8 decoding', () => {
    const request = decodeTaskMessage(toIncomingMessage(loadVector('task-v2-unicode-kwargs')));
    expect(request.args).toEqual(['h\u00e9llo', '\u65e5\u672c\u8a9e', '\u{1F389}']);
    expect(request.kwargs).toEqual({ a: 1, b: [1.5, null, true], '\u00fcn\u00ef': { x: 'y' } });
  });

  it('task-v2-chain: embed.chain holds the remaining steps reversed (next step last)', () => {
    const request = decodeTaskMessage(toIncomingMessage(loadVector('task-v2-chain')));
    expect(request.args).toEqual([1, 2]);
    const chain = request.embed.chain!;
    expect(chain.map((s) => s.args)).toEqual([[4], [3]]);
    expect(chain.at(-1)!.args).toEqual([3]); // add.s(3) runs next
    for (const step of chain) {
      expect(step.task).toBe('capture_tasks.add');
      expect(step.options.task_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(step.options.reply_to).toBe('86f39c21-9a61-3203-b3f5-794235227568');
    }
  });

  it('task-v2-group-*: every member carries the same group id and a null group_index', () => {
    const requests = ['task-v2-group-0', 'task-v2-group-1', 'task-v2-group-2'].map((n) =>
      decodeTaskMessage(toIncomingMessage(loadVector(n))),
    );
    expect(new Set(requests.map((r) => r.group)).size).toBe(1);
    expect(requests[0]!.group).toBe('59f0a6f7-c67f-4f77-aad9-2688c5f839ab');
    expect(requests.map((r) => r.groupIndex)).toEqual([null, null, null]);
    expect(requests.map((r) => r.args)).toEqual([[0, 0], [1, 1], [2, 2]]);
    expect(new Set(requests.map((r) => r.id)).size).toBe(3);
  });

  it('task-v2-int-headers: integer custom headers are kept (2**40 from an L tag)', () => {
    const request = decodeTaskMessage(toIncomingMessage(loadVector('task-v2-int-headers')));
    expect(request.headers.big).toBe(2 ** 40);
    expect(request.headers.neg).toBe(-5);
    expect(request.headers.small).toBe(7);
  });

  it('task-v2-json-special-types: kombu 5.2 date/Decimal/UUID arrive as plain strings', () => {
    const request = decodeTaskMessage(toIncomingMessage(loadVector('task-v2-json-special-types')));
    expect(request.task).toBe('capture_tasks.echo');
    expect(request.args).toEqual([
      '2024-01-02T03:04:05.123456Z',
      '2024-01-02T00:00:00',
      '1.10',
      '12345678-1234-5678-1234-567812345678',
    ]);
  });

  describe('task-v1-add-delay (protocol 1: no task header, dict body)', () => {
    const vector = loadVector('task-v1-add-delay');

    it('is detected and converted', () => {
      expect(vector.headers).toEqual({});
      const body = vector.body as Record<string, unknown>;
      const request = decodeTaskMessage(toIncomingMessage(vector));
      expect(request).toEqual({
        protocol: 1,
        id: body.id,
        task: 'capture_tasks.add',
        args: [2, 2],
        kwargs: {},
        embed: EMPTY_EMBED,
        retries: 0,
        eta: null,
        expires: null,
        rootId: null,
        parentId: null,
        group: null,
        groupIndex: null,
        shadow: null,
        timeLimit: [null, null],
        ignoreResult: false,
        origin: null,
        replyTo: vector.properties.reply_to,
        correlationId: body.id,
        priority: 0,
        headers: {},
      });
    });

    it('reads taskset as the group, eta, callbacks and time limits from the body', () => {
      const body = {
        ...(vector.body as Record<string, unknown>),
        taskset: 'gid-1',
        eta: '2026-11-22T02:16:17.818379+00:00',
        timelimit: [30, 20],
        retries: 2,
        callbacks: [{ task: 't.cb', args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false }],
      };
      const request = decodeTaskMessage({ ...toIncomingMessage(vector), content: json(body) });
      expect(request.group).toBe('gid-1');
      expect(request.eta?.toISOString()).toBe('2026-11-22T02:16:17.818Z');
      expect(request.timeLimit).toEqual([30, 20]);
      expect(request.retries).toBe(2);
      expect(request.embed.callbacks?.[0]?.task).toBe('t.cb');
    });

    it('falls back to the group key and defaults args/kwargs when absent', () => {
      const request = decodeTaskMessage({
        content: json({ task: 't.x', id: ID, group: 'gid-2' }),
        contentType: 'application/json',
      });
      expect(request.group).toBe('gid-2');
      expect(request.args).toEqual([]);
      expect(request.kwargs).toEqual({});
      expect(request.correlationId).toBe(ID);
      expect(request.replyTo).toBeNull();
      expect(request.priority).toBeNull();
    });
  });
});

describe('decodeTaskMessage: accepted variations', () => {
  it('only task and id are mandatory (headers {task, id}, body [[1,2],{},{}])', () => {
    const request = decodeTaskMessage({ content: json([[1, 2], {}, {}]), headers: { task: 't.add', id: ID } });
    expect(request).toMatchObject({
      protocol: 2,
      id: ID,
      task: 't.add',
      args: [1, 2],
      kwargs: {},
      embed: EMPTY_EMBED,
      retries: 0,
      rootId: null, // not its own id when the header is omitted
      parentId: null,
      timeLimit: [null, null],
      ignoreResult: false,
      origin: null,
      replyTo: null,
      correlationId: ID,
      priority: null,
    });
  });

  it('defaults a missing content type and encoding to JSON / UTF-8', () => {
    expect(decodeTaskMessage({ content: json([[], {}, null]), headers: { task: 't', id: ID } }).args).toEqual([]);
  });

  it.each(['application/json', 'APPLICATION/JSON', 'application/x-json', 'text/json'])('accepts content type %s', (ct) => {
    expect(decodeTaskMessage(v2([[1], {}, null], {}, { contentType: ct })).args).toEqual([1]);
  });

  it.each(['utf-8', 'UTF8', 'binary', ''])('accepts content encoding %j', (encoding) => {
    expect(decodeTaskMessage(v2([[1], {}, null], {}, { contentEncoding: encoding })).args).toEqual([1]);
  });

  it('tolerates embed {} and null (the Python worker does)', () => {
    expect(decodeTaskMessage(v2([[], {}, {}])).embed).toEqual(EMPTY_EMBED);
    expect(decodeTaskMessage(v2([[], {}, null])).embed).toEqual(EMPTY_EMBED);
  });

  it('treats null kwargs as {}', () => {
    expect(decodeTaskMessage(v2([[], null, null])).kwargs).toEqual({});
  });

  it('reads a chord body signature', () => {
    const chord = { task: 't.sum', args: [], kwargs: {}, options: { task_id: 'b' }, subtask_type: null, immutable: false };
    expect(decodeTaskMessage(v2([[], {}, { ...EMPTY_EMBED, chord }])).embed.chord).toEqual(chord);
  });

  it('reads the hybrid form: v2 headers with a v1 dict body', () => {
    const cb = { task: 't.cb', args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false };
    const request = decodeTaskMessage(v2({ args: [1], kwargs: { k: 2 }, callbacks: [cb] }));
    expect(request.protocol).toBe(2);
    expect(request.args).toEqual([1]);
    expect(request.kwargs).toEqual({ k: 2 });
    expect(request.embed).toEqual({ ...EMPTY_EMBED, callbacks: [cb] });
    expect(decodeTaskMessage(v2({})).args).toEqual([]);
  });

  it('reads a v1 dict body with headers winning over its fields, as hybrid_to_proto2 merges them', () => {
    const content = Buffer.from(JSON.stringify({ task: 't.add', id: 'v1-id', args: [1], kwargs: {}, shadow: 'body-alias', root_id: 'r' }));
    const request = decodeDelivery(content, {
      contentType: 'application/json',
      headers: { shadow: 'header-alias', ignore_result: true, group_index: 3, origin: 'gen1@h' },
    });
    expect(request).toMatchObject({ protocol: 1, task: 't.add', id: 'v1-id', rootId: 'r', shadow: 'header-alias', ignoreResult: true, groupIndex: 3, origin: 'gen1@h' });
    expect(decodeDelivery(content, { contentType: 'application/json' })).toMatchObject({ shadow: 'body-alias', ignoreResult: false, groupIndex: null, origin: null });
  });

  it('reads ETA forms the worker accepts: JS toISOString, naive (UTC), other offsets', () => {
    expect(decodeTaskMessage(v2([[], {}, null], { eta: '2020-01-01T00:00:00.000Z' })).eta?.toISOString()).toBe(
      '2020-01-01T00:00:00.000Z',
    );
    expect(decodeTaskMessage(v2([[], {}, null], { eta: '2030-01-01T12:00:00' })).eta?.toISOString()).toBe(
      '2030-01-01T12:00:00.000Z',
    );
    expect(decodeTaskMessage(v2([[], {}, null], { expires: '2030-01-01T12:00:00+02:00' })).expires?.toISOString()).toBe(
      '2030-01-01T10:00:00.000Z',
    );
  });

  it('tolerates unknown headers from newer Celery (stamped_headers, stamps, replaced_task_nesting)', () => {
    const headers = { stamped_headers: null, stamps: {}, replaced_task_nesting: 0, compression: 'x' };
    const request = decodeTaskMessage(v2([[], {}, null], headers));
    expect(request.headers).toMatchObject(headers);
  });

  it('reads group_index, retries, parent/root ids, ignore_result and reply properties', () => {
    const request = decodeTaskMessage(
      v2(
        [[], {}, null],
        { group: 'g', group_index: 3, retries: 4, parent_id: 'p', root_id: 'r', ignore_result: true, origin: 'gen1@h' },
        { replyTo: 'reply-q', correlationId: 'corr', priority: 9 },
      ),
    );
    expect(request).toMatchObject({
      group: 'g',
      groupIndex: 3,
      retries: 4,
      parentId: 'p',
      rootId: 'r',
      ignoreResult: true,
      origin: 'gen1@h',
      replyTo: 'reply-q',
      correlationId: 'corr',
      priority: 9,
    });
  });

  it('reads a partial or malformed timelimit leniently', () => {
    expect(decodeTaskMessage(v2([[], {}, null], { timelimit: [null, 20] })).timeLimit).toEqual([null, 20]);
    expect(decodeTaskMessage(v2([[], {}, null], { timelimit: [1.5] })).timeLimit).toEqual([1.5, null]);
    expect(decodeTaskMessage(v2([[], {}, null], { timelimit: 'x' })).timeLimit).toEqual([null, null]);
  });
});

describe('decodeTaskMessage: malformed input -> InvalidTaskMessageError', () => {
  it('body that is not JSON -> not-json', () => {
    expectReason(v2(Buffer.from('{not json', 'utf8')), 'not-json');
  });

  it("a kombu type marker whose value does not decode -> not-json, naming it (kombu's loads raises ValueError)", () => {
    expectReason(v2(Buffer.from('[[{"__type__": "datetime", "__value__": "soon"}], {}, null]', 'utf8')), 'not-json', /invalid 'datetime' type marker value "soon"/);
  });

  it('pickle content type -> content-type (never deserialized)', () => {
    expectReason(v2(Buffer.from([0x80, 0x04, 0x95]), {}, { contentType: 'application/x-python-serialize' }), 'content-type', /x-python-serialize/);
  });

  it.each(['application/x-yaml', 'application/x-msgpack', 'application/data'])('content type %s -> content-type', (ct) => {
    expectReason(v2([[], {}, null], {}, { contentType: ct }), 'content-type');
  });

  it('body that is not valid UTF-8 -> not-json (not run with U+FFFD in its arguments)', () => {
    const body = Buffer.concat([Buffer.from('[["caf'), Buffer.from([0xe9]), Buffer.from('"], {}, null]')]);
    expectReason(v2(body), 'not-json');
  });

  it('unsupported content encoding -> content-encoding', () => {
    expectReason(v2([[], {}, null], {}, { contentEncoding: 'gzip' }), 'content-encoding');
  });

  it('2-element body (kills a Python worker) -> body-shape', () => {
    expectReason(v2([[1, 2], {}]), 'body-shape', /got 2 element/);
  });

  it('4-element body -> body-shape', () => {
    expectReason(v2([[1, 2], {}, null, null]), 'body-shape', /got 4 element/);
  });

  it.each([['a string', 'x'], ['a number', 42], ['null', null], ['true', true]])('body that is %s -> body-shape', (_label, body) => {
    expectReason(v2(body), 'body-shape');
  });

  it('missing id header -> missing-header', () => {
    expectReason({ content: json([[], {}, null]), headers: { task: 't' } }, 'missing-header');
  });

  it.each([['empty', ''], ['a number', 5], ['null', null]])('id header that is %s -> missing-header', (_label, id) => {
    expectReason(v2([[], {}, null], { id }), 'missing-header');
  });

  it('v1 body without id -> missing-header', () => {
    expectReason({ content: json({ task: 't.add', args: [] }) }, 'missing-header');
  });

  it.each([['an object', { a: 1 }], ['a string', 'x'], ['null', null], ['a number', 1]])('args that is %s -> body-shape', (_label, args) => {
    expectReason(v2([args, {}, null]), 'body-shape', /args/);
  });

  it.each([['an array', [1]], ['a string', 'x'], ['a number', 1]])('kwargs that is %s -> body-shape', (_label, kwargs) => {
    expectReason(v2([[], kwargs, null]), 'body-shape', /kwargs/);
  });

  it('v1 args/kwargs of the wrong type -> body-shape', () => {
    expectReason({ content: json({ task: 't', id: ID, args: 'x' }) }, 'body-shape');
    expectReason({ content: json({ task: 't', id: ID, kwargs: [] }) }, 'body-shape');
  });

  it.each(['tomorrow', 'not a date 12', '1', '2020', '2024-13-01T00:00:00', '2024-02-30T00:00:00Z', '12:00:00'])(
    'bad eta string %j -> bad-time',
    (eta) => {
      expectReason(v2([[], {}, null], { eta }), 'bad-time', /eta/);
    },
  );

  it('bad expires string -> bad-time', () => {
    expectReason(v2([[], {}, null], { expires: 'soon' }), 'bad-time', /expires/);
  });

  it('eta of a non-string, non-number type -> bad-time', () => {
    expectReason(v2([[], {}, null], { eta: { when: 1 } }), 'bad-time');
  });

  it('no task header and no v1 dict -> unknown-message', () => {
    expectReason({ content: json([[1], {}, null]), headers: {} }, 'unknown-message');
    expectReason({ content: json({ id: ID, args: [] }) }, 'unknown-message');
    expectReason({ content: json({ task: 5, id: ID }) }, 'unknown-message');
  });

  it('a non-string task header is not v2', () => {
    expectReason({ content: json([[1], {}, null]), headers: { task: 7, id: ID } }, 'unknown-message');
  });

  it.each([
    ['embed that is an array', [1, 2]],
    ['embed that is a string', 'x'],
    ['callbacks that is not a list', { callbacks: { task: 't' } }],
    ['callbacks with a non-signature', { callbacks: [{ args: [] }] }],
    ['errbacks with a non-string task', { errbacks: [{ task: 1 }] }],
    ['chain that is a dict', { chain: { task: 't' } }],
    ['chain with a string', { chain: ['t.add'] }],
    ['chord that is a list', { chord: [{ task: 't' }] }],
    ['chord without task', { chord: { args: [] } }],
  ])('%s -> body-shape', (_label, embed) => {
    expectReason(v2([[], {}, embed]), 'body-shape', /embed/);
  });

  it.each([
    ['retries', 'x'],
    ['retries', 1.5],
    ['group_index', '0'],
    ['group', 5],
    ['shadow', 1],
    ['root_id', {}],
    ['parent_id', []],
  ])('header %s = %j -> bad-header', (key, value) => {
    expectReason(v2([[], {}, null], { [key]: value }), 'bad-header', new RegExp(key));
  });
});

describe("decodeTaskMessage: kombu 5.5's JSON type markers", () => {
  it('decodes them in args and kwargs', () => {
    const request = decodeTaskMessage(v2(Buffer.from('[[{"__type__": "datetime", "__value__": "2026-01-02T03:04:05+00:00"}], {"id": {"__type__": "uuid", "__value__": {"hex": "12345678123456781234567812345678"}}}, null]', 'utf8')));
    expect(request.args).toEqual([new Date('2026-01-02T03:04:05Z')]);
    expect(request.kwargs).toEqual({ id: '12345678-1234-5678-1234-567812345678' });
  });
});
