import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, type LoggerService } from '@nestjs/common';
import type { CeleryClient } from '../client/celery-client.js';
import { CeleryTask, TaskArg } from '../index.js';
import { CeleryRemoteError } from '../protocol/celery-remote.error.js';
import { callTask, createTestClient, startTestWorker, type TestWorker } from '../testing/index.js';

class Shipment {
  constructor(
    readonly id: string,
    readonly parcels: Map<string, number>,
  ) {}
}

/** A result of each kind, chosen by name. */
const RESULTS: Record<string, () => unknown> = {
  map: () => new Map<unknown, unknown>([['a', 1], [2, 'two']]),
  date: () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
  instance: () => new Shipment('s-1', new Map([['p-1', 2]])),
  undefined: () => undefined,
  nested_undefined: () => ({ kept: 1, dropped: undefined, list: [undefined] }),
  set: () => ({ tags: new Set(['a']) }),
  buffer: () => Buffer.from('raw'),
  bigint: () => ({ total: 10n }),
  circular: () => {
    const node: Record<string, unknown> = { id: 1 };
    node.parent = node;
    return node;
  },
  function: () => ({ callback: () => 1 }),
};

let runs = 0;

@Controller()
class ValueTasks {
  @CeleryTask('values.result')
  result(@TaskArg(0) kind: string): unknown {
    runs++;
    return RESULTS[kind]!();
  }

  @CeleryTask('values.echo')
  echo(@TaskArg(0) value: unknown): unknown {
    return value;
  }
}

class LogSink implements LoggerService {
  readonly errors: string[] = [];
  log(): void {}
  warn(): void {}
  error(message: unknown): void {
    this.errors.push(String(message));
  }
}

describe('ServerCelery: results follow the Celery JSON value rules', () => {
  let worker: TestWorker;
  let client: CeleryClient;
  const logger = new LogSink();

  beforeAll(async () => {
    worker = await startTestWorker({ controllers: [ValueTasks] }, { serverOptions: { logger } });
    client = await createTestClient(worker.broker);
  });

  afterAll(async () => {
    await client.close();
    await worker.close();
  });

  it.each([
    ['map', { a: 1, '2': 'two' }],
    ['date', '2026-01-02T03:04:05.006Z'],
    ['instance', { id: 's-1', parcels: { 'p-1': 2 } }],
    ['undefined', null],
    ['nested_undefined', { kept: 1, list: [null] }],
  ])('a %s result arrives as its JSON data', async (kind, expected) => {
    await expect(callTask(client, 'values.result', [kind])).resolves.toEqual(expected);
  });

  it.each([
    ['set', 'result.tags', 'Set'],
    ['buffer', 'result', 'Buffer'],
    ['bigint', 'result.total', 'BigInt'],
    ['function', 'result.callback', 'function'],
  ])('a %s result fails at once with kombu.exceptions.EncodeError, logged once, never retried', async (kind, path, type) => {
    logger.errors.length = 0;
    runs = 0;
    const started = performance.now();
    const error = await callTask(client, 'values.result', [kind], {}, { timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(CeleryRemoteError);
    expect(error).toMatchObject({
      excType: 'EncodeError',
      excModule: 'kombu.exceptions',
      excArgs: [`TypeError('Object of type ${type} is not JSON serializable (at ${path})')`],
    });
    expect((error as CeleryRemoteError).traceback).toContain('CeleryEncodeError');
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).toContain(`task values.result[`);
    expect(logger.errors[0]).toContain(path);
    expect(runs).toBe(1);
  });

  it('a circular result fails with EncodeError (ValueError inside, as Python json reports it)', async () => {
    const error = (await callTask(client, 'values.result', ['circular']).catch((e: unknown) => e)) as CeleryRemoteError;
    expect(error).toMatchObject({ excType: 'EncodeError', excArgs: ["ValueError('Circular reference detected (at result.parent)')"] });
  });

  it('a chain step whose result cannot be encoded fails the chain at once instead of requeueing the step', async () => {
    runs = 0;
    const last = await client.chain(client.signature('values.result', ['set']), client.signature('values.echo'));
    const error = (await last.get({ timeout: 2_000 }).catch((e: unknown) => e)) as CeleryRemoteError;
    expect(error).toMatchObject({ excType: 'EncodeError', excArgs: ["TypeError('Object of type Set is not JSON serializable (at result.tags)')"] });
    expect(runs).toBe(1);
  });

  it('the worker keeps serving after an unencodable result', async () => {
    await callTask(client, 'values.result', ['bigint']).catch(() => undefined);
    await expect(callTask(client, 'values.echo', [{ ok: true }])).resolves.toEqual({ ok: true });
  });
});

describe('CeleryClient: arguments follow the same rules', () => {
  let worker: TestWorker;
  let client: CeleryClient;

  beforeAll(async () => {
    worker = await startTestWorker({ controllers: [ValueTasks] });
    client = await createTestClient(worker.broker);
  });

  afterAll(async () => {
    await client.close();
    await worker.close();
  });

  it('Map, Date, class instances and undefined are sent as their JSON data', async () => {
    const sent = [new Map([['k', new Date(0)]]), new Shipment('s-2', new Map()), undefined, { gone: undefined }];
    await expect(callTask(client, 'values.echo', [sent])).resolves.toEqual([{ k: '1970-01-01T00:00:00.000Z' }, { id: 's-2', parcels: {} }, null, {}]);
  });

  it('a Set argument is refused before anything is sent, with the EncodeError as cause', async () => {
    const error = (await client.sendTask('values.echo', [{ tags: new Set([1]) }]).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('CeleryInvalidCallError');
    expect(error.message).toContain('args[0].tags');
    expect((error.cause as { excType?: string }).excType).toBe('EncodeError');
  });
});
