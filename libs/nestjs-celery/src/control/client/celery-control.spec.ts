import { describe, expect, it } from '@jest/globals';
import type { ConsumeMessage, Options } from 'amqplib';
import type { ConsumeOptions, ConsumerHandle } from '../../broker/amqp-broker.js';
import type { Delivery } from '../../broker/delivery.js';
import type { Topology } from '../../broker/topology.js';
import { CeleryControl } from './celery-control.js';
import { CeleryControlCallError } from '../control.errors.js';

/** A broker where every published request is answered by the given fake workers. */
class AnsweringBroker {
  readonly declared: Topology[] = [];
  readonly published: Array<{ exchange: string; routingKey: string; body: Record<string, unknown>; options: Options.Publish }> = [];
  private onReply?: (delivery: Delivery) => void;
  cancelled = 0;

  constructor(private readonly workers: Record<string, (body: Record<string, unknown>) => unknown> = {}) {}

  async declare(topology: Topology): Promise<void> {
    this.declared.push(topology);
  }
  async consume(queue: string, onDelivery: (d: Delivery) => void, _options: ConsumeOptions): Promise<ConsumerHandle> {
    this.onReply = onDelivery;
    return { queue, setPrefetch: async () => undefined, cancel: async () => void this.cancelled++ };
  }
  async publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    const body = JSON.parse(content.toString()) as Record<string, unknown>;
    this.published.push({ exchange, routingKey, body, options });
    if (!body.ticket) return;
    // An unrelated reply with another ticket is ignored.
    this.reply('someone-else', { 'x@y': { ok: 'pong' } });
    for (const [node, answer] of Object.entries(this.workers)) {
      const destination = body.destination as string[] | null;
      if (destination && !destination.includes(node)) continue;
      setTimeout(() => this.reply(body.ticket as string, { [node]: answer(body) }), 5);
    }
  }
  publishUnconfirmed(): void {}
  reply(ticket: string, body: unknown, raw?: string): void {
    const message = { content: Buffer.from(raw ?? JSON.stringify(body)), fields: {}, properties: { headers: { ticket, clock: 3 } } } as unknown as ConsumeMessage;
    this.onReply?.({ message, ack: () => undefined, reject: () => undefined });
  }
}

describe('CeleryControl (client side of the pidbox)', () => {
  it('broadcasts a call like kombu and collects the replies with its ticket', async () => {
    const broker = new AnsweringBroker({ 'w1@a': () => ({ ok: 'pong' }), 'w2@b': () => ({ ok: 'pong' }) });
    const control = new CeleryControl(broker, { logger: { log: () => undefined, error: () => undefined, warn: () => undefined } });
    const pongs = await control.ping({ timeoutMs: 50 });
    expect(pongs).toEqual({ 'w1@a': { ok: 'pong' }, 'w2@b': { ok: 'pong' } });
    const [request] = broker.published;
    expect(request!.exchange).toBe('celery.pidbox');
    expect(request!.routingKey).toBe('');
    expect(request!.body).toEqual({
      method: 'ping',
      arguments: {},
      destination: null,
      pattern: null,
      matcher: null,
      ticket: expect.any(String),
      reply_to: { exchange: 'reply.celery.pidbox', routing_key: control.oid },
    });
    expect(request!.options).toMatchObject({ contentType: 'application/json', contentEncoding: 'utf-8', headers: { clock: 1, expires: expect.any(Number) } });
    expect(broker.declared[0]!.queues![0]!.name).toBe(`${control.oid}.reply.celery.pidbox`);
  });

  it('stops after one reply per destination', async () => {
    const broker = new AnsweringBroker({ 'w1@a': () => ['t.a'], 'w2@b': () => ['t.b'] });
    const control = new CeleryControl(broker);
    const started = Date.now();
    const registered = await control.inspect({ destination: ['w2@b'], timeoutMs: 5_000 }).registered();
    expect(registered).toEqual({ 'w2@b': ['t.b'] });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(broker.published[0]!.body).toMatchObject({ method: 'registered', arguments: { taskinfoitems: [] }, destination: ['w2@b'] });
  });

  it('sends pattern and matcher (glob by default)', async () => {
    const broker = new AnsweringBroker();
    const control = new CeleryControl(broker);
    await control.inspect({ pattern: 'nest*', timeoutMs: 10 }).stats();
    expect(broker.published[0]!.body).toMatchObject({ method: 'stats', pattern: 'nest*', matcher: 'glob' });
  });

  it('revokes with a cast by default, as app.control.revoke', async () => {
    const broker = new AnsweringBroker({ 'w1@a': () => ({ ok: 'never asked' }) });
    const control = new CeleryControl(broker);
    await expect(control.revoke('id-1')).resolves.toEqual({});
    expect(broker.published[0]!.body).toEqual({
      method: 'revoke',
      arguments: { task_id: 'id-1', terminate: false, signal: 'SIGTERM' },
      destination: null,
      pattern: null,
      matcher: null,
    });
    expect(broker.published[0]!.options.headers).toEqual({ clock: 1, expires: 0 });
    expect(broker.declared).toEqual([{ exchanges: expect.arrayContaining([expect.objectContaining({ name: 'celery.pidbox', type: 'fanout' })]) }]);
  });

  it('revokes lists with terminate and collects replies when asked', async () => {
    const broker = new AnsweringBroker({ 'w1@a': (body) => ({ ok: `tasks ${(body.arguments as { task_id: string[] }).task_id.join(', ')} flagged as revoked` }) });
    const control = new CeleryControl(broker);
    const replies = await control.revoke(['a', 'b'], { terminate: true, signal: 'SIGKILL', reply: true, timeoutMs: 50 });
    expect(replies).toEqual({ 'w1@a': { ok: 'tasks a, b flagged as revoked' } });
    expect(broker.published[0]!.body.arguments).toEqual({ task_id: ['a', 'b'], terminate: true, signal: 'SIGKILL' });
  });

  it("rateLimit sends Celery's rate_limit command, a cast by default, replies when asked", async () => {
    const broker = new AnsweringBroker({ 'w1@a': () => ({ ok: 'new rate limit set successfully' }) });
    const control = new CeleryControl(broker);
    await expect(control.rateLimit('shop.charge', '10/m')).resolves.toEqual({});
    expect(broker.published[0]!.body).toEqual({
      method: 'rate_limit',
      arguments: { task_name: 'shop.charge', rate_limit: '10/m' },
      destination: null,
      pattern: null,
      matcher: null,
    });
    const replies = await control.rateLimit('shop.charge', '', { reply: true, destination: ['w1@a'], timeoutMs: 50 });
    expect(replies).toEqual({ 'w1@a': { ok: 'new rate limit set successfully' } });
    await expect(control.rateLimit('', '1/s')).rejects.toThrow('needs a task name');
    await expect(control.rateLimit('t', null as unknown as string)).rejects.toThrow("needs a rate like '10/m'");
  });

  it('validates calls before publishing anything', async () => {
    const control = new CeleryControl(new AnsweringBroker());
    await expect(control.revoke([])).rejects.toBeInstanceOf(CeleryControlCallError);
    await expect(control.revoke('')).rejects.toThrow('needs a task id');
    await expect(control.broadcast('')).rejects.toThrow('non-empty string');
    await expect(control.broadcast('ping', { destination: 'w1' as unknown as string[] })).rejects.toThrow("'destination' must be an array");
    await expect(control.broadcast('ping', { pattern: 'x', matcher: 'regex' as 'glob' })).rejects.toThrow("'matcher' must be 'glob' or 'pcre'");
  });

  it('ignores malformed replies with a warning and closes idempotently', async () => {
    const warnings: string[] = [];
    const broker = new AnsweringBroker();
    const control = new CeleryControl(broker, { logger: { log: () => undefined, error: () => undefined, warn: (m: string) => warnings.push(m) } });
    const pending = control.broadcast('ping', { reply: true, timeoutMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const ticket = broker.published[0]!.body.ticket as string;
    broker.reply(ticket, null, 'not json');
    broker.reply(ticket, { 'w@x': { ok: 'pong' } });
    await control.close();
    await control.close();
    await expect(pending).resolves.toEqual([{ 'w@x': { ok: 'pong' } }]);
    expect(warnings).toEqual([expect.stringContaining('ignored a malformed control reply')]);
    expect(broker.cancelled).toBe(1);
    await expect(control.ping()).rejects.toThrow('CeleryControl is closed');
  });
  it('never lets a reply set the prototype of what inspect() returns (a node or nested key named __proto__)', async () => {
    const broker = new AnsweringBroker({
      'w1@a': (body) => (body.method === 'conf' ? JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}') : ['t.one']),
      ['__proto__']: () => ({ polluted: true }),
      constructor: () => ['t.two'],
    });
    const control = new CeleryControl(broker, { logger: { log: () => undefined, error: () => undefined, warn: () => undefined } });
    const inspect = control.inspect({ timeoutMs: 50 });
    const registered = (await inspect.registered()) as Record<string, unknown>;
    expect(Object.getPrototypeOf(registered)).toBeNull();
    expect(Object.keys(registered)).toEqual(['w1@a']);
    expect(registered['w1@a']).toEqual(['t.one']);
    expect(registered.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A nested `__proto__` in a reply is dropped too, so no later copy can use it.
    const merged = { ...((await inspect.conf()) as Record<string, Record<string, unknown>>)['w1@a'] };
    expect(Object.assign({}, merged).polluted).toBeUndefined();
    expect(merged).toEqual({ a: 1 });
  });
});
