/**
 * Bindings (issue #5, part 3): the shared contracts' task proxies with versions side by side
 * (`pusher.send_to_s3`, `pusher.send_to_s3_v2`) and the `versionedTask` delegation, against a
 * Nest worker that serves both versions, and a real Python Celery 5.2.6 client still calling v1.
 */
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DEFAULT_S3_CONTENT_TYPE, sendToS3, sendToS3V1, sendToS3V2, type S3Object } from '@app/contracts';
import { CeleryClient, CeleryInvalidCallError, CeleryTask, ServerCelery, TaskArg } from 'nestjs-celery';
import { BROKER_URL } from './support/broker-url.js';
import { runPython } from './support/python.js';
import { deleteExchanges, deleteQueues } from './support/rabbitmq-admin.js';

const QUEUE = 'pusher';

function store(key: string, content: string, contentType: string, version: number): S3Object {
  return { key, size: Buffer.byteLength(content), contentType, version };
}

/** The pusher worker after the breaking change: v2 is the real task, v1 stays and delegates to it. */
@Controller()
class PusherTasks {
  @CeleryTask('pusher.send_to_s3_v2', { params: ['key', 'content', 'content_type'] })
  sendToS3V2(@TaskArg(0) key: string, @TaskArg(1) content: string, @TaskArg(2) contentType: string): S3Object {
    return store(key, content, contentType, 2);
  }

  @CeleryTask('pusher.send_to_s3', { params: ['key', 'content'] })
  sendToS3(@TaskArg(0) key: string, @TaskArg(1) content: string): S3Object {
    return store(key, content, DEFAULT_S3_CONTENT_TYPE, 1);
  }
}

@Module({ controllers: [PusherTasks] })
class PusherModule {}

describe('versioned task bindings (pusher.send_to_s3 / _v2)', () => {
  let worker: INestMicroservice;
  let client: CeleryClient;

  beforeAll(async () => {
    await deleteQueues(BROKER_URL, QUEUE);
    worker = await NestFactory.createMicroservice(PusherModule, {
      strategy: new ServerCelery({ brokerUrl: BROKER_URL, queues: [QUEUE] }),
      logger: false,
    });
    await worker.listen();
    client = new CeleryClient({ brokerUrl: BROKER_URL });
  });

  afterAll(async () => {
    await client?.close();
    await worker?.close();
    await deleteQueues(BROKER_URL, QUEUE);
    await deleteExchanges(BROKER_URL, QUEUE);
  });

  it('keeps both versions callable side by side through their typed proxies', async () => {
    await expect(client.task(sendToS3V1).call(['a.txt', 'hello'], { timeout: 10_000 })).resolves.toEqual(
      store('a.txt', 'hello', DEFAULT_S3_CONTENT_TYPE, 1),
    );
    await expect(client.task(sendToS3V2).call(['b.json', '{}', 'application/json'], { timeout: 10_000 })).resolves.toEqual(
      store('b.json', '{}', 'application/json', 2),
    );
  });

  it('delegates callers written for v1 and for v2 to the newest version', async () => {
    const proxy = sendToS3.bind(client);
    await expect((await proxy.delay('old.bin', 'xyz')).get({ timeout: 10_000 })).resolves.toEqual(
      store('old.bin', 'xyz', DEFAULT_S3_CONTENT_TYPE, 2),
    );
    await expect(proxy.call(['new.txt', 'abc', 'text/plain'], { timeout: 10_000 })).resolves.toEqual(store('new.txt', 'abc', 'text/plain', 2));
  });

  it('holds callers on v1 with maxVersion (workers not upgraded yet), and fails fast for v2-only calls', async () => {
    const held = sendToS3.bind(client, { maxVersion: 1 });
    await expect(held.call(['held.txt', 'q'], { timeout: 10_000 })).resolves.toEqual(store('held.txt', 'q', DEFAULT_S3_CONTENT_TYPE, 1));
    await expect(held.delay('x', 'y', 'text/plain')).rejects.toThrow(CeleryInvalidCallError);
  });

  it('still serves a Python client calling v1 by name', async () => {
    const out = await runPython<{ results: Array<{ value?: unknown }> }>('p2n_send.py', {
      queue: QUEUE,
      calls: [{ task: 'pusher.send_to_s3', args: ['py.txt', 'from python'] }],
    });
    expect(out.results[0]!.value).toEqual(store('py.txt', 'from python', DEFAULT_S3_CONTENT_TYPE, 1));
  });
});
