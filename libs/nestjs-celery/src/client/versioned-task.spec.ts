import { describe, expect, it } from '@jest/globals';
import { AsyncResult } from './async-result.js';
import type { CeleryClient } from './celery-client.js';
import { CeleryInvalidCallError } from '../producer/producer.errors.js';
import type { SendTaskOptions } from '../producer/send-task.options.js';
import { defineTask } from './task-definition.js';
import { versionedTask } from './versioned-task.js';

const v1 = defineTask<[key: string, content: string], string>('pusher.send_to_s3', { queue: 'pusher' });
const v2 = defineTask<[key: string, content: string, contentType: string], string>('pusher.send_to_s3_v2', { queue: 'pusher' });

class FakeClient {
  readonly calls: Array<{ name: string; args: unknown[]; options: SendTaskOptions }> = [];
  async sendTask<T>(name: string, args: unknown[] = [], _kwargs = {}, options: SendTaskOptions = {}) {
    this.calls.push({ name, args, options });
    const result = new AsyncResult<T>('id', name);
    result.update({ task_id: 'id', status: 'SUCCESS', result: `${name}:${args.join(',')}`, traceback: null, children: [] });
    return result;
  }
  asClient(): CeleryClient {
    return this as unknown as CeleryClient;
  }
}

describe('versionedTask', () => {
  const plain = versionedTask({ definition: v1, arity: 2 }, { definition: v2, arity: 3 });
  const adapting = versionedTask(
    { definition: v1, arity: 2 },
    { definition: v2, arity: [2, 3] as const, adapt: (a): [string, string, string] => [a[0] as string, a[1] as string, (a[2] as string) ?? 'application/octet-stream'] },
  );

  it('reads version numbers from the _vN suffix, newest first', () => {
    expect(plain.versions).toEqual([2, 1]);
  });

  it('picks the newest version the arguments fit', () => {
    expect(plain.select(['k', 'c'])).toMatchObject({ version: 1, name: 'pusher.send_to_s3', args: ['k', 'c'] });
    expect(plain.select(['k', 'c', 'text/plain'])).toMatchObject({ version: 2, name: 'pusher.send_to_s3_v2' });
  });

  it('adapts old callers to the new version when the new version says how', () => {
    expect(adapting.select(['k', 'c'])).toMatchObject({ version: 2, args: ['k', 'c', 'application/octet-stream'] });
  });

  it('honours a policy: maxVersion holds callers on v1, version pins one', () => {
    expect(adapting.select(['k', 'c'], { maxVersion: 1 })).toMatchObject({ version: 1, args: ['k', 'c'] });
    expect(adapting.select(['k', 'c'], { version: 1 }).name).toBe('pusher.send_to_s3');
  });

  it('fails fast, naming the versions, when nothing fits', () => {
    expect(() => adapting.select(['k', 'c', 'x'], { maxVersion: 1 })).toThrow(CeleryInvalidCallError);
    expect(() => adapting.select(['k'])).toThrow(/no version of pusher.send_to_s3 fits 1 argument\(s\); versions: v2 pusher.send_to_s3_v2 \(2-3 arguments\), v1 pusher.send_to_s3 \(2 argument\(s\)\)/);
  });

  it('rejects (does not throw) from the bound proxy when nothing fits', async () => {
    const proxy = adapting.bind(new FakeClient().asClient(), { maxVersion: 1 });
    const sent = proxy.delay('k', 'c', 'text/plain');
    await expect(sent).rejects.toThrow(CeleryInvalidCallError);
  });

  it('rejects two entries with the same version', () => {
    expect(() => versionedTask({ definition: v1 }, { definition: v1 })).toThrow(/version 1 given twice/);
  });

  it('sends through the client with the chosen definition defaults, and call() waits for the result', async () => {
    const client = new FakeClient();
    const proxy = adapting.bind(client.asClient());
    await proxy.delay('k', 'c');
    await proxy.applyAsync(['k', 'c', 'text/plain'], {}, { priority: 3 });
    await expect(adapting.bind(client.asClient(), { maxVersion: 1 }).call(['k', 'c'])).resolves.toBe('pusher.send_to_s3:k,c');
    expect(client.calls).toEqual([
      { name: 'pusher.send_to_s3_v2', args: ['k', 'c', 'application/octet-stream'], options: { queue: 'pusher' } },
      { name: 'pusher.send_to_s3_v2', args: ['k', 'c', 'text/plain'], options: { queue: 'pusher', priority: 3 } },
      { name: 'pusher.send_to_s3', args: ['k', 'c'], options: { queue: 'pusher' } },
    ]);
  });
});
