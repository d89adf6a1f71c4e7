import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { RecordingBroker, type Published } from '../../test/support/recording-broker.js';
import { celeryQueueTopology } from '../broker/topology.js';
import { createSignature, type SignatureDict, type SignatureOptions } from '../protocol/signature.js';
import { decodeDelivery } from '../protocol/task-message.decoder.js';
import { encodeTaskMessage } from '../protocol/task-message.encoder.js';
import type { TaskRequest } from '../protocol/task-message.js';
import { CeleryInvalidCallError } from './producer.errors.js';
import type { SendTaskOptions } from './send-task.options.js';
import { sendSignature } from './signature-call.js';
import { TaskProducer } from './task-producer.js';


function setup(defaultQueue = 'celery', wireHeaders?: 'compact' | 'full') {
  const broker = new RecordingBroker();
  return { broker, producer: new TaskProducer(broker.asBroker(), defaultQueue, 'nest42@host', { wireHeaders }) };
}

function decoded(p: Published): TaskRequest {
  const o = p.options;
  return decodeDelivery(p.content, o);
}

const NOW = new Date('2026-11-22T02:00:00.000Z');

afterEach(() => {
  jest.useRealTimers();
});

describe('TaskProducer.send validation', () => {
  const cases: Array<[string, () => [string, unknown, unknown, SendTaskOptions]]> = [
    ['an empty name', () => ['', [], {}, {}]],
    ['a name that is not a string', () => [42 as unknown as string, [], {}, {}]],
    ['args that are not an array', () => ['t', { 0: 1 }, {}, {}]],
    ['kwargs that are an array', () => ['t', [], [1], {}]],
    ['kwargs that are null', () => ['t', [], null, {}]],
    ['a negative countdown', () => ['t', [], {}, { countdown: -1 }]],
    ['a NaN countdown', () => ['t', [], {}, { countdown: Number.NaN }]],
    ['an infinite countdown', () => ['t', [], {}, { countdown: Number.POSITIVE_INFINITY }]],
    ['a negative time limit', () => ['t', [], {}, { timeLimit: -5 }]],
    ['a string soft time limit', () => ['t', [], {}, { softTimeLimit: '5' as unknown as number }]],
    ['priority 256', () => ['t', [], {}, { priority: 256 }]],
    ['priority -1', () => ['t', [], {}, { priority: -1 }]],
    ['priority 1.5', () => ['t', [], {}, { priority: 1.5 }]],
    ['an invalid eta', () => ['t', [], {}, { eta: 'tomorrow-ish' }]],
    ['an invalid expires date', () => ['t', [], {}, { expires: new Date(Number.NaN) }]],
    ['a BigInt in args', () => ['t', [1n], {}, {}]],
    ['a BigInt in kwargs', () => ['t', [], { n: 10n }, {}]],
    // follow-ups the worker could not send after the task ran (issue 12): refused from the caller
    ['a link with priority 999', () => ['t', [], {}, { link: [createSignature('cb', [], {}, { priority: 999 })] }]],
    ['a chain step with an empty name', () => ['t', [], {}, { chain: [createSignature('', [])] }]],
    ['a link with task_id 42', () => ['t', [], {}, { link: [createSignature('cb', [], {}, { task_id: 42 as unknown as string })] }]],
    ['a linkError that is not a signature', () => ['t', [], {}, { linkError: ['cb' as unknown as SignatureDict] }]],
    ['a link whose options are an array', () => ['t', [], {}, { link: [{ ...createSignature('cb'), options: [] as unknown as SignatureOptions }] }]],
    ['a circular argument', () => {
      const loop: Record<string, unknown> = {};
      loop.self = loop;
      return ['t', [loop], {}, {}];
    }],
  ];

  it.each(cases)('rejects %s with CeleryInvalidCallError and publishes nothing', async (_label, make) => {
    const { broker, producer } = setup();
    const [name, args, kwargs, options] = make();
    await expect(
      producer.send(name, args as unknown[], kwargs as Record<string, unknown>, { queue: 'q', ...options }),
    ).rejects.toBeInstanceOf(CeleryInvalidCallError);
    expect(broker.published).toHaveLength(0);
    expect(broker.declared).toHaveLength(0);
  });

  it('names the problem in the message', async () => {
    const { producer } = setup();
    await expect(producer.send('', [], {}, {})).rejects.toThrow('task name must be a non-empty string');
    await expect(producer.send('t', {} as unknown[], {}, {})).rejects.toThrow("args of task 't' must be an array");
    await expect(producer.send('t', [], [] as unknown as Record<string, unknown>, {})).rejects.toThrow(
      "kwargs of task 't' must be a plain object",
    );
    await expect(producer.send('t', [], {}, { countdown: -1 })).rejects.toThrow("option 'countdown'");
    await expect(producer.send('t', [], {}, { priority: 300 })).rejects.toThrow("option 'priority' must be an integer 0..255");
    await expect(producer.send('t', [1n], {}, {})).rejects.toThrow("arguments of task 't' are not JSON-serializable");
  });

  it('names the follow-up that could not be sent later', async () => {
    const { producer } = setup();
    await expect(producer.send('t', [], {}, { link: [createSignature('cb', [], {}, { priority: 999 })] })).rejects.toThrow(
      "option 'priority' of a signature in 'link' (task 'cb') must be an integer 0..255, got 999",
    );
    await expect(producer.send('t', [], {}, { chain: [createSignature('', [])] })).rejects.toThrow("a signature in 'chain' must name its task");
  });

  it('accepts the priority bounds 0 and 255 and a zero countdown', async () => {
    const { broker, producer } = setup();
    await producer.send('t', [], {}, { priority: 0 });
    await producer.send('t', [], {}, { priority: 255, countdown: 0 });
    expect(broker.published.map((p) => p.options.priority)).toEqual([0, 255]);
  });
});

describe('TaskProducer.send message', () => {
  it('writes a protocol v2 message the decoder reads back, under a fresh uuid', async () => {
    const { broker, producer } = setup();
    await producer.send('proj.add', [2, 3], { z: 1 }, { replyTo: 'reply-q' });
    expect(broker.published).toHaveLength(1);
    const p = broker.published[0]!;
    const request = decoded(p);
    const id = request.id;
    expect(request).toMatchObject({
      protocol: 2,
      id,
      task: 'proj.add',
      args: [2, 3],
      kwargs: { z: 1 },
      retries: 0,
      eta: null,
      expires: null,
      rootId: id,
      parentId: null,
      group: null,
      origin: null,
      replyTo: 'reply-q',
      correlationId: id,
      ignoreResult: false,
      timeLimit: [null, null],
      embed: { callbacks: null, errbacks: null, chain: null, chord: null },
    });
    expect(p.options.headers).toEqual({ task: 'proj.add', id, root_id: id });
    expect(JSON.parse(p.content.toString())).toEqual([[2, 3], { z: 1 }, {}]);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(p.options).toMatchObject({ contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, correlationId: id });
    expect(p.options.expiration).toBeUndefined();
    expect(p.options.priority).toBeUndefined();
  });

  it("writes Celery's 16 headers and the full embed with wireHeaders 'full'", async () => {
    const { broker, producer } = setup('celery', 'full');
    await producer.send('proj.add', [2, 3], { z: 1 }, { headers: { 'x-trace': 'abc' } });
    const p = broker.published[0]!;
    const { id } = decoded(p);
    expect(Object.keys(p.options.headers!)).toEqual([
      'lang', 'task', 'id', 'shadow', 'eta', 'expires', 'group', 'group_index', 'retries', 'timelimit',
      'root_id', 'parent_id', 'argsrepr', 'kwargsrepr', 'origin', 'ignore_result', 'x-trace',
    ]);
    expect(decoded(p)).toMatchObject({ rootId: id, origin: 'nest42@host' });
    expect(JSON.parse(p.content.toString())[2]).toEqual({ callbacks: null, errbacks: null, chain: null, chord: null });
  });

  it.each(['compact', 'full'] as const)(
    'writes a plain call (no links, no time limits) byte for byte as the spec with every embed key and limit null (%s)',
    async (wireHeaders) => {
      const { broker, producer } = setup('celery', wireHeaders);
      await producer.send('proj.add', [2, 3], { z: 1 }, { replyTo: 'r' });
      const { id } = decoded(broker.published[0]!);
      const explicit = encodeTaskMessage({
        id,
        task: 'proj.add',
        args: [2, 3],
        kwargs: { z: 1 },
        embed: { callbacks: null, errbacks: null, chain: null, chord: null },
        retries: 0,
        eta: null,
        expires: null,
        rootId: id,
        parentId: null,
        group: null,
        groupIndex: null,
        shadow: null,
        timeLimit: [null, null],
        ignoreResult: false,
        origin: 'nest42@host',
        replyTo: 'r',
        wireHeaders,
      });
      const p = broker.published[0]!;
      expect(p.content.toString()).toBe(explicit.body.toString());
      expect(JSON.stringify(p.options)).toBe(JSON.stringify(explicit.properties));
    },
  );

  it("rejects a wireHeaders value other than 'compact', 'full' or 'body'", () => {
    expect(() => setup('celery', 'short' as 'full')).toThrow("option 'wireHeaders' must be 'compact', 'full' or 'body', got \"short\"");
  });

  it('uses the given task id, workflow links and options', async () => {
    const { broker, producer } = setup();
    const link = createSignature('proj.cb');
    const errback = createSignature('proj.eb');
    const id = 'my-id';
    await producer.send('proj.add', [], {}, {
      taskId: id,
      rootId: 'root',
      parentId: 'parent',
      groupId: 'g',
      groupIndex: 0,
      shadow: 'shown',
      timeLimit: 10,
      softTimeLimit: 5,
      ignoreResult: true,
      retries: 4,
      priority: 7,
      deliveryMode: 1,
      link,
      linkError: [errback],
      headers: { 'x-trace': 'abc', id: 'must-not-override' },
    });
    expect(id).toBe('my-id');
    const p = broker.published[0]!;
    const request = decoded(p);
    expect(request).toMatchObject({
      id: 'my-id',
      rootId: 'root',
      parentId: 'parent',
      group: 'g',
      groupIndex: 0,
      shadow: 'shown',
      timeLimit: [10, 5],
      ignoreResult: true,
      retries: 4,
      priority: 7,
      replyTo: null,
    });
    expect(request.embed.callbacks).toEqual([link]);
    expect(request.embed.errbacks).toEqual([errback]);
    expect(request.headers['x-trace']).toBe('abc');
    expect(request.headers.id).toBe('my-id');
    expect(p.options.deliveryMode).toBe(1);
    expect(p.options.replyTo).toBeUndefined();
  });

  it('turns countdown into an eta header', async () => {
    jest.useFakeTimers({ now: NOW });
    const { broker, producer } = setup();
    await producer.send('t', [], {}, { countdown: 10 });
    expect(decoded(broker.published[0]!).eta).toEqual(new Date(NOW.getTime() + 10_000));
    expect((broker.published[0]!.options.headers as Record<string, unknown>).eta).toBe('2026-11-22T02:00:10.000000+00:00');
  });

  it('takes eta as a Date or an ISO string; countdown wins over eta', async () => {
    jest.useFakeTimers({ now: NOW });
    const { broker, producer } = setup();
    await producer.send('t', [], {}, { eta: new Date('2027-01-01T00:00:00Z') });
    await producer.send('t', [], {}, { eta: '2027-01-01T01:00:00+01:00' });
    await producer.send('t', [], {}, { eta: '2027-01-01T00:00:00Z', countdown: 1 });
    expect(broker.published.map((p) => decoded(p).eta)).toEqual([
      new Date('2027-01-01T00:00:00Z'),
      new Date('2027-01-01T00:00:00Z'),
      new Date(NOW.getTime() + 1000),
    ]);
  });

  it('turns expires in seconds into the header and the AMQP expiration in ms', async () => {
    jest.useFakeTimers({ now: NOW });
    const { broker, producer } = setup();
    await producer.send('t', [], {}, { expires: 60 });
    const p = broker.published[0]!;
    expect((p.options.headers as Record<string, unknown>).expires).toBe('2026-11-22T02:01:00.000000+00:00');
    expect(p.options.expiration).toBe('60000');
    expect(decoded(p).expires).toEqual(new Date(NOW.getTime() + 60_000));
  });

  it('sets expires from a Date, and an expiration of 0 for a past date', async () => {
    jest.useFakeTimers({ now: NOW });
    const { broker, producer } = setup();
    await producer.send('t', [], {}, { expires: new Date(NOW.getTime() + 1500) });
    await producer.send('t', [], {}, { expires: new Date(NOW.getTime() - 1000) });
    expect(broker.published.map((p) => p.options.expiration)).toEqual(['1500', '0']);
  });

  // Only meaningful when the suite runs outside UTC (e.g. `TZ=America/New_York npx jest ...`): jest's
  // process.env is a copy, so the zone cannot be switched from inside a test.
  it('reads a naive ISO expires/eta string as UTC (as Celery and the worker do), whatever the local zone', async () => {
    jest.useFakeTimers({ now: NOW });
    const { broker, producer } = setup();
    await producer.send('t', [], {}, { expires: '2026-11-22T03:00:00', eta: '2026-11-22T02:30:00.250' });
    const p = broker.published[0]!;
    const headers = p.options.headers as Record<string, unknown>;
    expect(headers.expires).toBe('2026-11-22T03:00:00.000000+00:00');
    expect(headers.eta).toBe('2026-11-22T02:30:00.250000+00:00');
    expect(p.options.expiration).toBe('3600000');
  });

  it('still accepts date strings Date understands but Celery would not write', async () => {
    const { broker, producer } = setup();
    await producer.send('t', [], {}, { eta: 'Fri, 01 Jan 2100 00:00:00 GMT' });
    expect(decoded(broker.published[0]!).eta).toEqual(new Date('2100-01-01T00:00:00Z'));
  });
});

describe('TaskProducer.send routing', () => {
  it("publishes queue=X to the default exchange with routing key X and declares Celery's topology once", async () => {
    const { broker, producer } = setup();
    await producer.send('t', [], {}, { queue: 'work' });
    await producer.send('t', [], {}, { queue: 'work' });
    expect(broker.published.map((p) => [p.exchange, p.routingKey])).toEqual([
      ['', 'work'],
      ['', 'work'],
    ]);
    expect(broker.declared).toEqual([celeryQueueTopology('work')]);
  });

  it('publishes to an explicit exchange and routing key without declaring anything', async () => {
    const { broker, producer } = setup();
    await producer.send('proj.add', [], {}, { exchange: 'tasks', routingKey: 'rk.add' });
    await producer.send('proj.add', [], {}, { exchange: 'tasks' });
    expect(broker.published.map((p) => [p.exchange, p.routingKey])).toEqual([
      ['tasks', 'rk.add'],
      ['tasks', 'proj.add'],
    ]);
    expect(broker.declared).toEqual([]);
  });

  it('uses the default queue when no route is given', async () => {
    const { broker, producer } = setup('jobs');
    await producer.send('t', [], {}, {});
    expect([broker.published[0]!.exchange, broker.published[0]!.routingKey]).toEqual(['', 'jobs']);
    expect(broker.declared).toEqual([celeryQueueTopology('jobs')]);
  });

  it('does not redeclare a queue the broker already declared (e.g. with priority arguments)', async () => {
    const { broker, producer } = setup();
    await broker.declare(celeryQueueTopology('prio', { arguments: { 'x-max-priority': 10 } }));
    await producer.send('t', [], {}, { queue: 'prio' });
    expect(broker.declared).toHaveLength(1);
  });

  it('publishes nothing when the declaration fails', async () => {
    const { broker, producer } = setup();
    broker.declare = async () => {
      throw new Error('PRECONDITION_FAILED');
    };
    await expect(producer.send('t', [], {}, { queue: 'q' })).rejects.toThrow('PRECONDITION_FAILED');
    expect(broker.published).toHaveLength(0);
  });
});

describe('sendSignature', () => {
  it('merges the parent args, keeps the frozen id and applies the signature route and options', async () => {
    const { broker, producer } = setup();
    const sig = createSignature('proj.add', [4], { k: 2 }, { task_id: 'frozen', queue: 'math', priority: 2, reply_to: 'own-q' });
    const id = await sendSignature(producer, sig, { args: [3], parentId: 'p', rootId: 'r', replyTo: 'fallback-q' });
    expect(id).toBe('frozen');
    const p = broker.published[0]!;
    expect(p.routingKey).toBe('math');
    expect(decoded(p)).toMatchObject({
      id: 'frozen',
      args: [3, 4],
      kwargs: { k: 2 },
      parentId: 'p',
      rootId: 'r',
      priority: 2,
      replyTo: 'own-q',
    });
  });

  it('gives a new id with newId, the fallback reply_to, and the application group and chain', async () => {
    const { broker, producer } = setup();
    const rest = [createSignature('proj.next')];
    const id = await sendSignature(producer, createSignature('proj.x', [], {}, { task_id: 'frozen' }), {
      newId: true,
      replyTo: 'fallback-q',
      groupId: 'g',
      chain: rest,
    });
    expect(id).not.toBe('frozen');
    const request = decoded(broker.published[0]!);
    expect(request).toMatchObject({ id, replyTo: 'fallback-q', group: 'g', rootId: id });
    expect(request.embed.chain).toEqual(rest);
  });

  it('reads kombu entity dicts and tolerates malformed args/kwargs', async () => {
    const { broker, producer } = setup();
    const sig = {
      ...createSignature('proj.x', [], {}, { queue: { name: 'entity-q', durable: true } }),
      args: null as unknown as unknown[],
      kwargs: null as unknown as Record<string, unknown>,
    };
    await sendSignature(producer, sig);
    const p = broker.published[0]!;
    expect(p.routingKey).toBe('entity-q');
    expect(decoded(p)).toMatchObject({ args: [], kwargs: {} });
  });

  it('validates what the signature carries', async () => {
    const { broker, producer } = setup();
    await expect(sendSignature(producer, createSignature('proj.x', [], {}, { countdown: -3 }))).rejects.toBeInstanceOf(
      CeleryInvalidCallError,
    );
    expect(broker.published).toHaveLength(0);
  });
});
