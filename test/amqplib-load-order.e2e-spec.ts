/**
 * py-amqp's `L` header tag whatever the load order: a process in which another library required
 * amqplib before nestjs-celery still reads the 64-bit integers Python Celery 5.2.6 writes in a
 * task's headers (amqplib alone closes the connection on them: `Unexpected type tag "L"`), and
 * that library's own amqplib consumer is left as amqplib made it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { BROKER_URL } from './support/broker-url.js';
import { startProcess, type ManagedProcess } from './support/child-process.js';
import { runPython } from './support/python.js';
import { deleteQueues } from './support/rabbitmq-admin.js';

const queue = `long-tag.${randomUUID().slice(0, 8)}`;
const otherQueue = `${queue}.other`;

describe('amqplib loaded before nestjs-celery by another library', () => {
  let child: ManagedProcess;

  beforeAll(async () => {
    child = startProcess('amqplib-first', process.execPath, ['--import', '@swc-node/register/esm-register', 'test/fixtures/amqplib-first/main.ts'], {
      CELERY_BROKER_URL: BROKER_URL,
      LONG_TAG_QUEUE: queue,
      OTHER_QUEUE: otherQueue,
    });
    await child.waitFor('amqplib-first ready (amqplib loaded first)', 60_000);
  });

  afterAll(async () => {
    await child?.stop();
    await deleteQueues(BROKER_URL, queue, otherQueue);
  });

  it('reads the L-tagged headers of a task sent by Python Celery, and the connection stays open', async () => {
    const headers = { 'x-big': 2 ** 40, 'x-neg-big': -(2 ** 40), 'x-huge': 2 ** 62, 'x-list': [1, 2 ** 33], 'x-small': 7 };
    for (let i = 0; i < 2; i++) await runPython('send_with_headers.py', { queue, headers: { ...headers, 'x-n': i } });
    await child.waitFor(/headers .*"x-n":1/, 30_000);
    const seen = child.log.split('\n').filter((line) => line.startsWith('headers ')).map((line) => JSON.parse(line.slice(8)) as Record<string, unknown>);
    expect(seen).toHaveLength(2);
    for (const [i, received] of seen.entries()) {
      expect(received).toMatchObject({ 'x-big': 2 ** 40, 'x-neg-big': -(2 ** 40), 'x-huge': '4611686018427388000n', 'x-list': [1, 2 ** 33], 'x-small': 7, 'x-n': i });
      expect(received).toMatchObject({ lang: 'py', task: 'interop.add' });
    }
    expect(child.log).not.toMatch(/Unexpected type tag|connection lost|frameError/i);
  });

  it("the other library's plain amqplib consumer is unaffected: its connection reads frames with amqplib's own code and gets Python's headers as amqplib decodes them", async () => {
    expect(child.log).toContain('other connection untouched: true');
    await runPython('send_with_headers.py', { queue: otherQueue, headers: { 'x-small': 7, 'x-int': 70_000, 'x-text': 'hi' } });
    await child.waitFor(/other headers /, 30_000);
    const line = child.log.split('\n').find((l) => l.startsWith('other headers '))!;
    expect(JSON.parse(line.slice('other headers '.length))).toMatchObject({ 'x-small': 7, 'x-int': 70_000, 'x-text': 'hi', lang: 'py', task: 'interop.add' });
    expect(child.log).not.toContain('other connection closed');
  });
});
