import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { RecordingBroker, type Published } from '../../test/support/recording-broker.js';
import { celeryQueueTopology } from '../broker/topology.js';
import { TaskProducer } from '../producer/task-producer.js';
import { createSignature, type SignatureDict } from '../protocol/signature.js';
import { decodeDelivery } from '../protocol/task-message.decoder.js';
import { encodeTaskMessage } from '../protocol/task-message.encoder.js';
import type { TaskMessageSpec, TaskRequest } from '../protocol/task-message.js';
import type { DeliveryInfo } from '../runtime/celery-context.js';
import { WorkflowPublisher } from './workflow.publisher.js';


function setup(wireHeaders?: 'compact' | 'full') {
  const broker = new RecordingBroker();
  const producer = new TaskProducer(broker.asBroker(), 'celery', 'nest1@host', { wireHeaders });
  return { broker, workflow: new WorkflowPublisher(producer) };
}

/** What the fake broker received, read back with the library's own decoder. */
function decoded(p: Published): TaskRequest {
  const o = p.options;
  return decodeDelivery(p.content, o);
}

function request(spec: Partial<TaskMessageSpec> = {}): TaskRequest {
  const encoded = encodeTaskMessage({ id: 'parent-1', task: 'proj.add', origin: 'py@vm', args: [1, 2], replyTo: 'client-q', ...spec });
  const p = encoded.properties;
  return decodeDelivery(encoded.body, p);
}

const frozen = (task: string, args: unknown[], id: string, replyTo = 'client-q', extra: Partial<SignatureDict> = {}) => ({
  ...createSignature(task, args, {}, { task_id: id, reply_to: replyTo }),
  ...extra,
});

afterEach(() => {
  jest.useRealTimers();
});

describe('WorkflowPublisher.followSuccess', () => {
  it('publishes nothing and lists no children without callbacks or chain', async () => {
    const { broker, workflow } = setup();
    expect(await workflow.followSuccess(request(), 3)).toEqual([]);
    expect(broker.published).toHaveLength(0);
  });

  it('pops the LAST chain element and passes the rest along, with the result prepended', async () => {
    const { broker, workflow } = setup();
    // (add.s(1,2) | add.s(3) | add.s(4)): the embed chain is reversed, the next step is last
    const chain = [frozen('proj.add', [4], 'step-3'), frozen('proj.add', [3], 'step-2')];
    const children = await workflow.followSuccess(request({ embed: { chain }, rootId: 'root-0' }), 3);
    expect(broker.published).toHaveLength(1);
    const next = decoded(broker.published[0]!);
    expect(next.id).toBe('step-2');
    expect(next.task).toBe('proj.add');
    expect(next.args).toEqual([3, 3]);
    expect(next.embed.chain).toEqual([chain[0]]);
    expect(next.parentId).toBe('parent-1');
    expect(next.rootId).toBe('root-0');
    expect(next.replyTo).toBe('client-q');
    expect(next.correlationId).toBe('step-2');
    expect(next.group).toBeNull();
    expect(children).toEqual([[['step-2', null], null]]);
  });

  it('sends the last step with an empty remaining chain', async () => {
    const { broker, workflow } = setup();
    await workflow.followSuccess(request({ embed: { chain: [frozen('proj.add', [4], 'step-3')] } }), 6);
    const last = decoded(broker.published[0]!);
    expect(last.id).toBe('step-3');
    expect(last.args).toEqual([6, 4]);
    expect(last.embed.chain ?? []).toEqual([]);
  });

  it('does not prepend the result to an immutable chain step', async () => {
    const { broker, workflow } = setup();
    await workflow.followSuccess(request({ embed: { chain: [frozen('proj.log', ['x'], 's2', 'client-q', { immutable: true })] } }), 3);
    expect(decoded(broker.published[0]!).args).toEqual(['x']);
  });

  it("uses the request's reply_to for a chain step that has none, and its own when it has one", async () => {
    const { broker, workflow } = setup();
    const step = createSignature('proj.add', [1], {}, { task_id: 's2' });
    await workflow.followSuccess(request({ embed: { chain: [step] }, replyTo: 'orig-q' }), 3);
    expect(decoded(broker.published[0]!).replyTo).toBe('orig-q');
    await workflow.followSuccess(request({ embed: { chain: [frozen('proj.add', [1], 's3', 'own-q')] }, replyTo: 'orig-q' }), 3);
    expect(decoded(broker.published[1]!).replyTo).toBe('own-q');
  });

  it('applies one callback with the parent result, parent and root ids, and no group', async () => {
    const { broker, workflow } = setup();
    const link = createSignature('proj.add', [10], { k: 1 });
    const children = await workflow.followSuccess(request({ embed: { callbacks: [link] } }), 3);
    const cb = decoded(broker.published[0]!);
    expect(cb.task).toBe('proj.add');
    expect(cb.args).toEqual([3, 10]);
    expect(cb.kwargs).toEqual({ k: 1 });
    expect(cb.parentId).toBe('parent-1');
    expect(cb.rootId).toBe('parent-1');
    expect(cb.group).toBeNull();
    expect(cb.id).not.toBe('parent-1');
    expect(children).toEqual([[[cb.id, null], null]]);
  });

  it('sends several callbacks as one group: same group id, distinct task ids', async () => {
    const { broker, workflow } = setup();
    const links = [createSignature('proj.a', [1]), createSignature('proj.b', [], {}, { queue: 'other' })];
    const children = await workflow.followSuccess(request({ embed: { callbacks: links } }), 'v');
    expect(broker.published).toHaveLength(2);
    const [a, b] = broker.published.map(decoded);
    expect(a!.group).toEqual(expect.any(String));
    expect(a!.group).toBe(b!.group);
    expect(a!.id).not.toBe(b!.id);
    expect(a!.args).toEqual(['v', 1]);
    expect(b!.args).toEqual(['v']);
    expect([a!.parentId, b!.parentId]).toEqual(['parent-1', 'parent-1']);
    expect(broker.published[1]!.routingKey).toBe('other');
    expect(children).toEqual([
      [[a!.id, null], null],
      [[b!.id, null], null],
    ]);
  });

  it('applies callbacks before the next chain step and lists both as children', async () => {
    const { broker, workflow } = setup();
    const children = await workflow.followSuccess(
      request({ embed: { callbacks: [createSignature('proj.cb')], chain: [frozen('proj.next', [], 'step-2')] } }),
      1,
    );
    expect(broker.published.map((p) => decoded(p).task)).toEqual(['proj.cb', 'proj.next']);
    expect(children).toHaveLength(2);
    expect(children[1]).toEqual([['step-2', null], null]);
  });

  it("uses the request's own id as root when it has no root_id", async () => {
    const { broker, workflow } = setup();
    await workflow.followSuccess({ ...request({ embed: { callbacks: [createSignature('proj.cb')] } }), rootId: null }, 1);
    expect(decoded(broker.published[0]!).rootId).toBe('parent-1');
  });
});

describe('WorkflowPublisher.followFailure', () => {
  it('sends the errbacks as a group called with the failed task id, with NEW ids', async () => {
    const { broker, workflow } = setup();
    const errback = createSignature('proj.on_error', [], {}, { task_id: 'frozen-eb' });
    await workflow.followFailure(request({ embed: { errbacks: [errback] }, rootId: 'root-0' }));
    expect(broker.published).toHaveLength(1);
    const eb = decoded(broker.published[0]!);
    expect(eb.task).toBe('proj.on_error');
    expect(eb.args).toEqual(['parent-1']);
    expect(eb.id).not.toBe('frozen-eb');
    expect(eb.group).toEqual(expect.any(String));
    expect(eb.parentId).toBe('parent-1');
    expect(eb.rootId).toBe('root-0');
  });

  it('puts every errback in the same group; an immutable one keeps its own args', async () => {
    const { broker, workflow } = setup();
    const errbacks = [createSignature('proj.a', ['extra']), createSignature('proj.b', ['own'], {}, {}, true)];
    await workflow.followFailure(request({ embed: { errbacks } }));
    const [a, b] = broker.published.map(decoded);
    expect(a!.args).toEqual(['parent-1', 'extra']);
    expect(b!.args).toEqual(['own']);
    expect(a!.group).toBe(b!.group);
    expect(a!.id).not.toBe(b!.id);
  });

  it('publishes nothing without errbacks', async () => {
    const { broker, workflow } = setup();
    await workflow.followFailure(request());
    await workflow.followFailure(request({ embed: { errbacks: [] } }));
    expect(broker.published).toHaveLength(0);
  });
});

describe('WorkflowPublisher.retry', () => {
  const delivery = (exchange: string, routingKey: string): DeliveryInfo => ({
    exchange,
    routing_key: routingKey,
    priority: null,
    redelivered: false,
  });

  it('republishes the same id with retries+1, eta, parent_id = own id, and drops custom headers', async () => {
    const { broker, workflow } = setup();
    const link = createSignature('proj.cb');
    const errback = createSignature('proj.eb');
    const chain = [frozen('proj.next', [], 'step-2')];
    const original = request({
      retries: 2,
      rootId: 'root-0',
      parentId: 'someone',
      group: 'g-1',
      groupIndex: 3,
      shadow: 'shadowed',
      timeLimit: [50, 40],
      priority: 3,
      args: [1],
      kwargs: { capture_queue: 'cap.retry' },
      embed: { callbacks: [link], errbacks: [errback], chain },
      headers: { 'x-custom': 'gone' },
    });
    expect(original.headers['x-custom']).toBe('gone');
    const eta = new Date('2030-01-02T03:04:05.678Z');
    await workflow.retry(original, delivery('', 'tasks'), eta);
    expect(broker.published).toHaveLength(1);
    const p = broker.published[0]!;
    expect(p.exchange).toBe('');
    expect(p.routingKey).toBe('tasks');
    const again = decoded(p);
    expect(again.id).toBe('parent-1');
    expect(again.task).toBe('proj.add');
    expect(again.retries).toBe(3);
    expect(again.eta).toEqual(eta);
    expect((p.options.headers as Record<string, unknown>).eta).toBe('2030-01-02T03:04:05.678000+00:00');
    expect(again.parentId).toBe('parent-1');
    expect(again.rootId).toBe('root-0');
    expect(again.args).toEqual([1]);
    expect(again.kwargs).toEqual({ capture_queue: 'cap.retry' });
    expect(again.group).toBe('g-1');
    expect(again.groupIndex).toBe(3);
    expect(again.shadow).toBe('shadowed');
    expect(again.timeLimit).toEqual([50, 40]);
    expect(again.priority).toBe(3);
    expect(again.replyTo).toBe('client-q');
    expect(again.correlationId).toBe('parent-1');
    expect(again.embed).toEqual({ callbacks: [link], errbacks: [errback], chain, chord: null });
    expect(again.headers['x-custom']).toBeUndefined();
    expect(p.options.deliveryMode).toBe(2);
  });

  it('declares the queue it routes back to (once), like queue=', async () => {
    const { broker, workflow } = setup();
    await workflow.retry(request(), delivery('', 'tasks'), new Date(Date.now() + 1000));
    await workflow.retry(request(), delivery('', 'tasks'), new Date(Date.now() + 1000));
    expect(broker.declared).toEqual([celeryQueueTopology('tasks')]);
  });

  it('goes back through the original exchange and routing key when it was not the default exchange', async () => {
    const { broker, workflow } = setup();
    await workflow.retry(request(), delivery('tasks.direct', 'rk.add'), new Date(Date.now() + 1000));
    expect(broker.published[0]!.exchange).toBe('tasks.direct');
    expect(broker.published[0]!.routingKey).toBe('rk.add');
    expect(broker.declared).toEqual([]);
  });

  it("uses its own id as root when the request has none and keeps 'expires'", async () => {
    const { broker, workflow } = setup('full');
    const expires = new Date(Date.now() + 3_600_000);
    await workflow.retry({ ...request({ expires }), rootId: null }, delivery('', 'celery'), new Date(Date.now() + 1000));
    const again = decoded(broker.published[0]!);
    expect(again.rootId).toBe('parent-1');
    expect(again.expires).toEqual(expires);
    expect(Number(broker.published[0]!.options.expiration)).toBeGreaterThan(3_500_000);
  });

  it('keeps a request without reply_to without one', async () => {
    const { broker, workflow } = setup();
    await workflow.retry(request({ replyTo: null }), delivery('', 'celery'), new Date(Date.now() + 1000));
    expect(decoded(broker.published[0]!).replyTo).toBeNull();
    expect(broker.published[0]!.options.replyTo).toBeUndefined();
  });
});
