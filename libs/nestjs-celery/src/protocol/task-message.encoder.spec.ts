import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { loadVector } from '../../test/vectors/load-vectors.js';
import { createSignature } from './signature.js';
import { decodeDelivery, decodeTaskMessage } from './task-message.decoder.js';
import { encodeTaskMessage, toEmbed } from './task-message.encoder.js';
import type { EncodedTaskMessage, TaskMessageSpec } from './task-message.js';

const ID = '5f1f4a3c-2b1d-4c1e-9d7a-0e6b8c9d0a1b';
const ORIGIN = 'gen42@node';

function body(message: EncodedTaskMessage): unknown {
  return JSON.parse(message.body.toString('utf8'));
}

function roundTrip(message: EncodedTaskMessage) {
  const { properties } = message;
  return decodeDelivery(message.body, properties);
}

/** A task with every header option set to something other than its default. */
const EVERY_OPTION: TaskMessageSpec = {
  id: ID,
  task: 't.add',
  origin: ORIGIN,
  args: [1],
  kwargs: { a: 'x' },
  retries: 3,
  eta: new Date('2026-11-22T02:07:51.260Z'),
  expires: '2030-01-01T00:00:00+00:00',
  rootId: 'root',
  parentId: 'parent',
  group: 'gid',
  groupIndex: 2,
  shadow: 'alias',
  timeLimit: [30, 20],
  ignoreResult: true,
};

afterEach(() => {
  jest.useRealTimers();
});

describe('encodeTaskMessage headers', () => {
  const vector = loadVector('task-v2-add-delay');
  const celeryKeys = Object.keys(vector.headers);

  it('the reference vector has the 16 Celery 5.2.6 keys', () => {
    expect(celeryKeys).toEqual([
      'lang', 'task', 'id', 'shadow', 'eta', 'expires', 'group', 'group_index', 'retries',
      'timelimit', 'root_id', 'parent_id', 'argsrepr', 'kwargsrepr', 'origin', 'ignore_result',
    ]);
  });

  it("writes exactly the vector's 16 keys, in Celery's order", () => {
    const { properties } = encodeTaskMessage({ id: ID, task: 't.add', args: [2, 2], origin: ORIGIN });
    expect(Object.keys(properties.headers)).toEqual(celeryKeys);
  });

  it('reproduces add.delay(2, 2) header for header (task-v2-add-delay)', () => {
    const h = vector.headers;
    const { properties } = encodeTaskMessage({
      id: h.id as string,
      task: h.task as string,
      args: [2, 2],
      origin: h.origin as string,
    });
    expect(properties.headers).toEqual(h);
  });

  it('uses the defaults Python sends', () => {
    const { properties } = encodeTaskMessage({ id: ID, task: 't.add', origin: ORIGIN });
    expect(properties.headers).toEqual({
      lang: 'py',
      task: 't.add',
      id: ID,
      shadow: null,
      eta: null,
      expires: null,
      group: null,
      group_index: null,
      retries: 0,
      timelimit: [null, null],
      root_id: ID,
      parent_id: null,
      argsrepr: '()',
      kwargsrepr: '{}',
      origin: ORIGIN,
      ignore_result: false,
    });
  });

  it('merges custom headers after the Celery ones, never overriding them', () => {
    const { properties } = encodeTaskMessage({
      id: ID,
      task: 't.add',
      origin: ORIGIN,
      headers: { 'x-custom': 'v', retries: 99, task: 'evil', 'x-n': 7 },
    });
    expect(Object.keys(properties.headers)).toEqual([...celeryKeys, 'x-custom', 'x-n']);
    expect(properties.headers['x-custom']).toBe('v');
    expect(properties.headers['x-n']).toBe(7);
    expect(properties.headers.retries).toBe(0);
    expect(properties.headers.task).toBe('t.add');
  });

  it('writes every option into its header', () => {
    const { properties } = encodeTaskMessage(EVERY_OPTION);
    expect(properties.headers).toEqual({
      lang: 'py',
      task: 't.add',
      id: ID,
      shadow: 'alias',
      eta: '2026-11-22T02:07:51.260000+00:00',
      expires: '2030-01-01T00:00:00+00:00',
      group: 'gid',
      group_index: 2,
      retries: 3,
      timelimit: [30, 20],
      root_id: 'root',
      parent_id: 'parent',
      argsrepr: '(1,)',
      kwargsrepr: "{'a': 'x'}",
      origin: ORIGIN,
      ignore_result: true,
    });
  });

  it('does not share the default timelimit array between messages', () => {
    const a = encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN });
    const b = encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN });
    (a.properties.headers.timelimit as unknown[])[0] = 5;
    expect(b.properties.headers.timelimit).toEqual([null, null]);
  });
});

describe("encodeTaskMessage with wireHeaders 'compact'", () => {
  const base: TaskMessageSpec = { id: ID, task: 't.add', origin: ORIGIN, args: [1], kwargs: { a: 'x' }, wireHeaders: 'compact' };

  it('writes only task, id and root_id (= id) for a plain root task, and an empty embed', () => {
    const message = encodeTaskMessage(base);
    expect(message.properties.headers).toEqual({ task: 't.add', id: ID, root_id: ID });
    expect(body(message)).toEqual([[1], { a: 'x' }, {}]);
    expect(message.properties).toMatchObject({ contentType: 'application/json', contentEncoding: 'utf-8', correlationId: ID });
  });

  it('leaves out headers at their defaults: retries 0, no time limits, ignore_result false', () => {
    const message = encodeTaskMessage({ ...base, rootId: ID, retries: 0, timeLimit: [null, null], ignoreResult: false, group: null, groupIndex: null });
    expect(message.properties.headers).toEqual({ task: 't.add', id: ID, root_id: ID });
  });

  it('writes every option that differs from a default, and reads back the same request', () => {
    // group_index 0 and a soft limit alone are not defaults either
    const spec: TaskMessageSpec = {
      ...EVERY_OPTION,
      wireHeaders: 'compact',
      groupIndex: 0,
      timeLimit: [null, 20],
      embed: { callbacks: [createSignature('t.cb')] },
    };
    const message = encodeTaskMessage(spec);
    expect(message.properties.headers).toEqual({
      task: 't.add',
      id: ID,
      shadow: 'alias',
      eta: '2026-11-22T02:07:51.260000+00:00',
      expires: '2030-01-01T00:00:00+00:00',
      group: 'gid',
      group_index: 0,
      retries: 3,
      timelimit: [null, 20],
      root_id: 'root',
      parent_id: 'parent',
      ignore_result: true,
    });
    expect(body(message)).toEqual([[1], { a: 'x' }, { callbacks: [createSignature('t.cb')] }]);
    const full = roundTrip(encodeTaskMessage({ ...spec, wireHeaders: 'full' }));
    const compact = roundTrip(message);
    expect({ ...compact, headers: undefined, origin: undefined }).toEqual({ ...full, headers: undefined, origin: undefined });
  });

  it("merges custom headers but never lets one take a Celery header's name", () => {
    const message = encodeTaskMessage({ ...base, headers: { 'x-trace': 'abc', retries: 9, lang: 'js', root_id: 'fake' } });
    expect(message.properties.headers).toEqual({ task: 't.add', id: ID, root_id: ID, 'x-trace': 'abc' });
  });
});

describe("encodeTaskMessage with wireHeaders 'body' (protocol v1's layout)", () => {
  const base: TaskMessageSpec = { id: ID, task: 't.add', origin: ORIGIN, args: [1], kwargs: { a: 'x' }, wireHeaders: 'body', deliveryMode: 1 };

  it('puts task, id, args, kwargs and root_id in a dict body, with no headers, content_encoding or correlation_id', () => {
    const message = encodeTaskMessage(base);
    expect(body(message)).toEqual({ task: 't.add', id: ID, args: [1], kwargs: { a: 'x' }, root_id: ID });
    expect(message.properties).toEqual({ contentType: 'application/json', deliveryMode: 1, headers: {} });
  });

  it('keeps the properties of a fire-and-forget task within 64 bytes, even with ignore_result', () => {
    const message = encodeTaskMessage({ ...base, ignoreResult: true });
    expect(message.properties.headers).toEqual({ ignore_result: true });
    // flags (2) + content_type (1 + 16) + delivery_mode (1) + headers table (4 + 1 + 13 + 1 + 1)
    const size = 2 + 1 + 'application/json'.length + 1 + 4 + 1 + 'ignore_result'.length + 2;
    expect(size).toBeLessThanOrEqual(64);
  });

  it('writes correlation_id with a reply_to, for rpc results', () => {
    const message = encodeTaskMessage({ ...base, replyTo: 'reply.q' });
    expect(message.properties).toMatchObject({ replyTo: 'reply.q', correlationId: ID });
  });

  it('writes every option where hybrid_to_proto2 reads it, and reads back the same request as the compact form', () => {
    const spec: TaskMessageSpec = {
      ...EVERY_OPTION,
      wireHeaders: 'body',
      priority: 3,
      embed: { callbacks: [createSignature('t.cb')], errbacks: [createSignature('t.eb')] },
    };
    const message = encodeTaskMessage(spec);
    expect(body(message)).toEqual({
      task: 't.add',
      id: ID,
      args: [1],
      kwargs: { a: 'x' },
      root_id: 'root',
      parent_id: 'parent',
      group: 'gid',
      shadow: 'alias',
      eta: '2026-11-22T02:07:51.260000+00:00',
      expires: '2030-01-01T00:00:00+00:00',
      retries: 3,
      timelimit: [30, 20],
      callbacks: [createSignature('t.cb')],
      errbacks: [createSignature('t.eb')],
    });
    expect(message.properties.headers).toEqual({ ignore_result: true, group_index: 2 });
    expect(message.properties.priority).toBe(3);
    expect(message.properties.expiration).toBeDefined();
    const compact = roundTrip(encodeTaskMessage({ ...spec, wireHeaders: 'compact' }));
    const hybrid = roundTrip(message);
    expect({ ...hybrid, protocol: 2, headers: undefined, origin: undefined }).toEqual({ ...compact, headers: undefined, origin: undefined });
  });

  it('writes a task with a chain in the compact v2 form (the v1 layout has no chain)', () => {
    const message = encodeTaskMessage({ ...base, embed: { chain: [createSignature('t.next')] } });
    expect(message.properties.headers).toMatchObject({ task: 't.add', id: ID });
    expect(body(message)).toEqual([[1], { a: 'x' }, { chain: [createSignature('t.next')] }]);
  });

  it("merges custom headers but never lets one take a Celery header's name (hybrid_to_proto2 would let it win)", () => {
    const message = encodeTaskMessage({ ...base, headers: { 'x-trace': 'abc', task: 'other', id: 'fake' } });
    expect(message.properties.headers).toEqual({ 'x-trace': 'abc' });
    expect(roundTrip(message)).toMatchObject({ task: 't.add', id: ID });
  });
});

describe('encodeTaskMessage body', () => {
  it('is a 3-element JSON array [args, kwargs, embed] with the full embed dict', () => {
    const message = encodeTaskMessage({ id: ID, task: 't.add', args: [2, 2], origin: ORIGIN });
    expect(body(message)).toEqual([[2, 2], {}, { callbacks: null, errbacks: null, chain: null, chord: null }]);
    expect(Object.keys((body(message) as unknown[])[2] as object)).toEqual(['callbacks', 'errbacks', 'chain', 'chord']);
  });

  it('defaults args to [] and kwargs to {}', () => {
    expect(body(encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN }))).toEqual([
      [],
      {},
      { callbacks: null, errbacks: null, chain: null, chord: null },
    ]);
  });

  it('fills a partial embed with nulls', () => {
    const cb = createSignature('t.cb');
    const [, , embed] = body(encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN, embed: { callbacks: [cb] } })) as [
      unknown,
      unknown,
      unknown,
    ];
    expect(embed).toEqual({ callbacks: [cb], errbacks: null, chain: null, chord: null });
  });

  it('is UTF-8', () => {
    const message = encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN, args: ['h\u00e9llo \u{1F389}'] });
    expect(message.body.includes(Buffer.from('h\u00e9llo \u{1F389}', 'utf8'))).toBe(true);
  });

  it('matches the all-options vector body (link callbacks and errbacks)', () => {
    const vector = loadVector('task-v2-all-options');
    const [args, kwargs, embed] = vector.body as [unknown[], Record<string, unknown>, Record<string, never>];
    const message = encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN, args, kwargs, embed });
    expect(body(message)).toEqual(vector.body);
  });
});

describe('encodeTaskMessage properties', () => {
  it('sets JSON content, persistent delivery and correlation_id = task id', () => {
    const { properties } = encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN });
    expect(properties).toEqual({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 2,
      correlationId: ID,
      headers: expect.any(Object),
    });
    expect('priority' in properties).toBe(false);
    expect('expiration' in properties).toBe(false);
    expect('replyTo' in properties).toBe(false);
  });

  it('sets reply_to when given', () => {
    expect(encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN, replyTo: 'rq' }).properties.replyTo).toBe('rq');
    expect('replyTo' in encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN, replyTo: null }).properties).toBe(false);
  });

  it('sets priority only when given (0 included)', () => {
    expect(encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN, priority: 5 }).properties.priority).toBe(5);
    expect(encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN, priority: 0 }).properties.priority).toBe(0);
  });

  it('honours deliveryMode 1', () => {
    expect(encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN, deliveryMode: 1 }).properties.deliveryMode).toBe(1);
  });

  it('sets expiration to the milliseconds left until expires (Date)', () => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00.000Z') });
    const { properties } = encodeTaskMessage({
      id: ID,
      task: 't',
      origin: ORIGIN,
      expires: new Date('2030-01-01T00:01:00.000Z'),
    });
    expect(properties.expiration).toBe('60000');
    expect(properties.headers.expires).toBe('2030-01-01T00:01:00.000000+00:00');
  });

  it('reads a string expires like the worker: a naive value is UTC', () => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00.000Z') });
    const naive = encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN, expires: '2030-01-01T00:00:30' });
    expect(naive.properties.expiration).toBe('30000');
    expect(naive.properties.headers.expires).toBe('2030-01-01T00:00:30');
    const offset = encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN, expires: '2030-01-01T01:00:10+01:00' });
    expect(offset.properties.expiration).toBe('10000');
  });

  it('writes expiration "0" for an expires already past, as Python does', () => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00.000Z') });
    const { properties } = encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN, expires: new Date('2029-01-01T00:00:00Z') });
    expect(properties.expiration).toBe('0');
  });

  it('skips expiration when disabled or when expires cannot be read', () => {
    const future = new Date(Date.now() + 60_000);
    expect(
      'expiration' in encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN, expires: future, expirationProperty: false }).properties,
    ).toBe(false);
    const bad = encodeTaskMessage({ id: ID, task: 't', origin: ORIGIN, expires: 'whenever' });
    expect('expiration' in bad.properties).toBe(false);
    expect(bad.properties.headers.expires).toBe('whenever');
  });

  it('reproduces the all-options vector (eta, expires -> "60000", priority, time limits, shadow, custom header)', () => {
    const vector = loadVector('task-v2-all-options');
    const h = vector.headers;
    // The capture was published at eta - countdown(10 s); expires = publish time + 60 s.
    jest.useFakeTimers({ now: new Date('2026-11-22T03:08:33.957Z') });
    const [args, kwargs, embed] = vector.body as [unknown[], Record<string, unknown>, Record<string, never>];
    const message = encodeTaskMessage({
      id: h.id as string,
      task: h.task as string,
      args,
      kwargs,
      embed,
      eta: h.eta as string,
      expires: h.expires as string,
      priority: 5,
      timeLimit: [30, 20],
      shadow: 'alias-name',
      headers: { 'x-custom': 'v' },
      origin: h.origin as string,
      replyTo: vector.properties.reply_to!,
    });
    expect(message.properties.headers).toEqual(h);
    expect(Object.keys(message.properties.headers)).toEqual(Object.keys(h));
    expect(message.properties).toMatchObject({
      contentType: vector.properties.content_type,
      contentEncoding: vector.properties.content_encoding,
      deliveryMode: vector.properties.delivery_mode,
      priority: vector.properties.priority,
      correlationId: vector.properties.correlation_id,
      replyTo: vector.properties.reply_to,
      expiration: vector.properties.expiration,
    });
    expect(body(message)).toEqual(vector.body);
  });
});

describe('decodeTaskMessage(encodeTaskMessage(x)) round trip', () => {
  it('keeps a minimal message', () => {
    const request = roundTrip(encodeTaskMessage({ id: ID, task: 't.add', args: [2, 2], origin: ORIGIN }));
    expect(request).toEqual({
      protocol: 2,
      id: ID,
      task: 't.add',
      args: [2, 2],
      kwargs: {},
      embed: { callbacks: null, errbacks: null, chain: null, chord: null },
      retries: 0,
      eta: null,
      expires: null,
      rootId: ID,
      parentId: null,
      group: null,
      groupIndex: null,
      shadow: null,
      timeLimit: [null, null],
      ignoreResult: false,
      origin: ORIGIN,
      replyTo: null,
      correlationId: ID,
      priority: null,
      headers: expect.objectContaining({ lang: 'py', argsrepr: '(2, 2)' }),
    });
  });

  it('keeps every option', () => {
    const chainStep = createSignature('t.next', [4], {}, { task_id: 'n1', reply_to: 'rq' });
    const chord = createSignature('t.body', [], {}, { task_id: 'b1' });
    const spec: TaskMessageSpec = {
      id: ID,
      task: 't.add',
      origin: ORIGIN,
      args: [1, 'two', { three: [3] }],
      kwargs: { k: null, u: '\u00fc' },
      embed: { callbacks: [createSignature('t.cb')], errbacks: [createSignature('t.eb')], chain: [chainStep], chord },
      retries: 2,
      eta: new Date('2030-05-06T07:08:09.123Z'),
      expires: new Date('2030-05-06T08:08:09.999Z'),
      rootId: 'root',
      parentId: 'parent',
      group: 'gid',
      groupIndex: 0,
      shadow: 'alias',
      timeLimit: [300, 60],
      ignoreResult: true,
      replyTo: 'reply-q',
      priority: 7,
      headers: { 'x-tenant': 'acme' },
    };
    const request = roundTrip(encodeTaskMessage(spec));
    expect(request).toMatchObject({
      protocol: 2,
      id: ID,
      task: 't.add',
      args: spec.args,
      kwargs: spec.kwargs,
      embed: { callbacks: spec.embed!.callbacks, errbacks: spec.embed!.errbacks, chain: [chainStep], chord },
      retries: 2,
      rootId: 'root',
      parentId: 'parent',
      group: 'gid',
      groupIndex: 0,
      shadow: 'alias',
      timeLimit: [300, 60],
      ignoreResult: true,
      origin: ORIGIN,
      replyTo: 'reply-q',
      correlationId: ID,
      priority: 7,
    });
    expect(request.eta?.toISOString()).toBe('2030-05-06T07:08:09.123Z');
    expect(request.expires?.toISOString()).toBe('2030-05-06T08:08:09.999Z');
    expect(request.headers['x-tenant']).toBe('acme');
  });

  it('re-encodes a decoded Python message to the same headers and body', () => {
    const vector = loadVector('task-v2-chain');
    const first = decodeTaskMessage({
      content: Buffer.from(vector.body_base64, 'base64'),
      headers: vector.headers,
      correlationId: vector.properties.correlation_id,
      replyTo: vector.properties.reply_to!,
    });
    const again = encodeTaskMessage({
      id: first.id,
      task: first.task,
      args: first.args,
      kwargs: first.kwargs,
      embed: first.embed,
      origin: first.origin!,
      rootId: first.rootId,
      replyTo: first.replyTo,
    });
    expect(again.properties.headers).toEqual(vector.headers);
    expect(body(again)).toEqual(vector.body);
  });
});

describe('toEmbed', () => {
  it('always returns the four keys', () => {
    expect(toEmbed(undefined)).toEqual({ callbacks: null, errbacks: null, chain: null, chord: null });
    const chord = createSignature('t.c');
    expect(toEmbed({ chord })).toEqual({ callbacks: null, errbacks: null, chain: null, chord });
  });
});
